import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLASH_COMMANDS } from '../../../src/slack/replicas-command.js';
import { findReferenceFile } from '../../fakes/reference-dir.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const schema = findReferenceFile('slack-manifest-schema/manifest.schema.1.0.0.json');
const schemaPath = schema.path;
const manifest = parse(readFileSync(`${root}manifest.yml`, 'utf8')) as {
  features: { slash_commands: Array<{ command: string }> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
};

const HAS_SCHEMA = schema.found;
const SKIPPED = schema.skipNote;

describe('manifest.yml', () => {
  it.skipIf(!HAS_SCHEMA)(`is valid against the Slack manifest schema 1.0.0${SKIPPED}`, () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.skipIf(!HAS_SCHEMA)(`would catch a broken manifest (the schema is really applied)${SKIPPED}`, () => {
    const validate = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    const broken = structuredClone(manifest);
    broken.features.slash_commands[0]!.command = 'replicas';
    expect(validate(broken)).toBe(false);
  });

  it('asks for what replibot uses: /replicas and /veeam, mentions, DMs, App Home, buttons and Socket Mode', () => {
    // every name the app answers is in the manifest, and no other
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([...SLASH_COMMANDS]);
    expect(SLASH_COMMANDS).toEqual(['/replicas', '/veeam']);
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      'app_home_opened',
      'app_mention',
      'message.im',
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    for (const scope of [
      'commands',
      'chat:write',
      'app_mentions:read',
      'im:history',
      'users:read',
      'files:write',
      'usergroups:read',
    ])
      expect(manifest.oauth_config.scopes.bot).toContain(scope);
  });
});
