export declare const SETTINGS: Array<{ name: string; default: string; meaning: string; secret?: boolean; startOnly?: boolean; worker?: 'consumer' }>;
