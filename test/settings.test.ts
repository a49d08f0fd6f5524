import { describe, expect, it } from 'vitest';
import readme from '../docs/settings.md?raw';
import { SETTINGS } from '../scripts/settings.mjs';
import { CONFIG_SETTING_NAMES } from '../workers/api/src/config';
import { STORE_SETTING_NAMES } from '../workers/core/src/store/store-config';
import { CONSUMER_SETTING_NAMES } from '../workers/consumer/src/config';

describe('settings', () => {
  const documented = new Set(SETTINGS.map((setting: { name: string }) => setting.name));

  it('documents every setting the Workers read, in the settings list and the docs/settings.md table', () => {
    for (const name of [...CONFIG_SETTING_NAMES, ...STORE_SETTING_NAMES, ...CONSUMER_SETTING_NAMES]) {
      expect(documented, `scripts/settings.mjs lacks ${name}`).toContain(name);
      expect(readme, `docs/settings.md lacks ${name}`).toContain(`| \`${name}\``);
    }
  });
});
