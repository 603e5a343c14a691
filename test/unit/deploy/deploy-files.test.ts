/**
 * The deployment examples (deploy/) agree with the code: probe paths and ports are the ones replibot serves,
 * every variable they set is one src/config.ts reads, images and commands are the Dockerfile's and the CLI's.
 * Docker and a Kubernetes API server do not run here, so this is the check that runs (README says so).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { HEALTH_PATH, METRICS_PATH, READY_PATH } from '../../../src/app/probes.js';
import { CONFIG_VARIABLES } from '../../../src/config.js';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const read = (path: string) => readFileSync(root(path), 'utf8');

const isKnownVariable = (name: string) => CONFIG_VARIABLES.includes(name);

// parsed YAML is walked by key: an untyped tree, each step asserted by the test itself
// biome-ignore lint/suspicious/noExplicitAny: a YAML document's shape is what the assertions check
type Doc = Record<string, any>;

const k8s: Doc[] = parseAllDocuments(read('deploy/kubernetes/replibot.yaml')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Doc;
});
const byKind = (kind: string): Doc => {
  const doc = k8s.find((d) => d.kind === kind);
  if (!doc) throw new Error(`no ${kind} in deploy/kubernetes/replibot.yaml`);
  return doc;
};

describe('deploy/kubernetes/replibot.yaml', () => {
  const deployment = byKind('Deployment');
  const configMap = byKind('ConfigMap');
  const secret = byKind('Secret');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];

  it('runs two replicas of `replibot start` with probes on the paths and port replibot serves', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(container.command).toEqual(['node', 'bin/replibot.js', 'start']);
    const http = container.ports.find((p: Doc) => p.name === 'http');
    expect(http.containerPort).toBe(Number(configMap.data.PORT));
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATH, port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: READY_PATH, port: 'http' });
    expect(container.startupProbe.httpGet.path).toBe(HEALTH_PATH);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/path']).toBe(METRICS_PATH);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(configMap.data.PORT);
    // longer than replibot's own shutdown bound (25 s, src/commands/start.ts)
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(25);
  });

  it('takes its configuration from the ConfigMap and the Secret, DATABASE_URL from the Secret', () => {
    expect(container.envFrom).toEqual([
      { configMapRef: { name: configMap.metadata.name } },
      { secretRef: { name: secret.metadata.name } },
    ]);
    expect(String(secret.stringData.DATABASE_URL)).toMatch(/^postgres:\/\//);
    expect(Object.keys(configMap.data)).not.toContain('DATABASE_URL');
    // secrets never in the ConfigMap
    for (const name of ['VEEAM_PASSWORD', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET'])
      expect(Object.keys(configMap.data)).not.toContain(name);
    const variables = [
      ...Object.keys(secret.stringData),
      ...Object.keys(configMap.data).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k)),
    ];
    for (const name of variables)
      expect(isKnownVariable(name), `${name} is read by src/config.ts`).toBe(true);
    // the CA file it names is mounted from the ConfigMap
    const mount = container.volumeMounts.find((m: Doc) =>
      configMap.data.VEEAM_CA_FILE.startsWith(m.mountPath),
    );
    const volume = pod.volumes.find((v: Doc) => v.name === mount.name);
    expect(volume.configMap.name).toBe(configMap.metadata.name);
    expect(`${mount.mountPath}/${volume.configMap.items[0].path}`).toBe(configMap.data.VEEAM_CA_FILE);
  });

  it('has a Service whose selector finds the pods', () => {
    const service = byKind('Service');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
  });
});

describe('deploy/compose.yaml', () => {
  // Compose reads YAML merge keys (`<<: *replibot`)
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as Doc;
  const services = compose.services as Record<string, Doc>;

  it('runs replibot twice on one PostgreSQL, against the simulator', () => {
    expect(Object.keys(services).sort()).toEqual(['em-sim', 'postgres', 'replibot-1', 'replibot-2']);
    expect(services.postgres?.image).toMatch(/^postgres:/);
    const pg = services.postgres?.environment as Record<string, string>;
    const sim = services['em-sim'] as Doc;
    expect(sim.command.slice(0, 3)).toEqual(['node', 'bin/replibot.js', 'sim']);
    const simPort = sim.command[sim.command.indexOf('--port') + 1];
    expect(sim.command[sim.command.indexOf('--host') + 1]).toBe('0.0.0.0');
    const hostPorts = new Set<string>();
    for (const name of ['replibot-1', 'replibot-2']) {
      const s = services[name] as Doc;
      expect(s.command).toEqual(['node', 'bin/replibot.js', 'start']);
      expect(s.image).toBe(sim.image);
      const env = s.environment as Record<string, string>;
      for (const variable of Object.keys(env))
        expect(isKnownVariable(variable), `${variable} is read by src/config.ts`).toBe(true);
      expect(env.VEEAM_URL).toBe(`http://em-sim:${simPort}`);
      expect(env.DATABASE_URL).toBe(
        `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
      );
      const [host, inside] = String(s.ports[0]).split(':');
      expect(inside).toBe(env.PORT);
      hostPorts.add(String(host));
      expect(s.depends_on.postgres.condition).toBe('service_healthy');
      // longer than replibot's own shutdown bound (25 s)
      expect(Number.parseInt(s.stop_grace_period, 10)).toBeGreaterThan(25);
    }
    expect(hostPorts.size).toBe(2);
  });

  it('builds the image from the Dockerfile, which runs `replibot start` as an unprivileged user', () => {
    const dockerfile = read('Dockerfile');
    expect(services['replibot-1']?.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    expect(dockerfile).toMatch(/^CMD \["node", "bin\/replibot\.js", "start"\]$/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(new RegExp(`${HEALTH_PATH}`));
  });
});
