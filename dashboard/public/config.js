// Run-time settings of the dashboard, loaded before the app. Replace this file
// next to index.html to point one build at any API, e.g.:
//   window.DASHBOARD_CONFIG = { apiBase: 'https://api.example.com' };
// Without apiBase the build-time VITE_API_BASE is used (or, on localhost, http://127.0.0.1:8787).
window.DASHBOARD_CONFIG = window.DASHBOARD_CONFIG || {};
