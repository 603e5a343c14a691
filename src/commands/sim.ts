import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../simulator/index.js';

const int =
  (name: string, min: number, max: number) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return Number(value);
  };

const rate =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !(n >= 0 && n <= 1))
      throw new InvalidArgumentError(`${name} must be from 0 to 1.`);
    return n;
  };

interface SimCliOptions {
  host: string;
  port?: number;
  seed: number;
  tls?: boolean;
  sessions: number;
  days: number;
  jsonKeys: 'v12' | 'v13';
  username: string;
  password: string;
  lag: number;
  idle: number;
  latency: number;
  errorRate: number;
  malformedRate: number;
  dropRate: number;
  failureRate?: number;
  warningRate?: number;
  jsonBom?: boolean;
}

/** Single-quotes a value for a POSIX shell, so the printed curl commands can be pasted as they are. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The exact commands a shell user needs to log on and query the running simulator. */
function toSimUsage(sim: RunningSimulator, options: SimCliOptions, caFile: string | null): string {
  const api = `${sim.url}/api`;
  const tlsFlag = caFile ? ` --cacert ${shellQuote(caFile)}` : '';
  const user = shellQuote(`${options.username}:${options.password}`);
  const lines = [
    `EM simulator listening on ${api}/ (seed ${options.seed}, ${options.sessions} task sessions over ${options.days} days, JSON keys ${options.jsonKeys}${options.lag ? `, collection lag ${options.lag}s` : ''})`,
    '',
    'Log on (the token comes back in the X-RestSvcSessionId response header; the body, kept in /tmp/em-logon.xml, has the SessionId):',
    `  TOKEN=$(curl -s${tlsFlag} -X POST -u ${user} -D - -o /tmp/em-logon.xml '${api}/sessionMngr/?v=latest' | awk -F': ' 'tolower($1)=="x-restsvcsessionid"{print $2}' | tr -d '\\r')`,
    '',
    'Failed replica task sessions, newest first (XML; add -H "Accept: application/json" for JSON):',
    `  curl -s${tlsFlag} -G -H "X-RestSvcSessionId: $TOKEN" '${api}/query' --data-urlencode 'type=ReplicaTaskSession' --data-urlencode 'format=Entities' --data-urlencode 'sortDesc=CreationTime' --data-urlencode 'pageSize=5' --data-urlencode 'filter=Result==Failed'`,
    '',
    'One VM by name (quote values; double a literal "):',
    `  curl -s${tlsFlag} -G -H "X-RestSvcSessionId: $TOKEN" '${api}/query' --data-urlencode 'type=ReplicaTaskSession' --data-urlencode 'format=Entities' --data-urlencode 'filter=VmDisplayName=="apache02"'`,
    '',
    'Backup job runs still working (the backup copy job copies for days; also type=BackupTaskSession):',
    `  curl -s${tlsFlag} -G -H "X-RestSvcSessionId: $TOKEN" '${api}/query' --data-urlencode 'type=BackupJobSession' --data-urlencode 'format=Entities' --data-urlencode 'filter=State==Working'`,
    '',
    'Log off:',
    `  curl -s${tlsFlag} -o /dev/null -w '%{http_code}\\n' -X DELETE -H "X-RestSvcSessionId: $TOKEN" "${api}/logonSessions/$(sed -n 's:.*<SessionId>\\([^<]*\\)</SessionId>.*:\\1:p' /tmp/em-logon.xml)"`,
    '',
    'Control API (no logon needed):',
    `  curl -s${tlsFlag} -X POST -H 'Content-Type: application/json' -d '{"vm":"apache02","job":"Replication Job 2","result":"Failed","reason":"Failed to create VM snapshot"}' '${sim.url}/_sim/sessions'`,
    `  curl -s${tlsFlag} -X POST -H 'Content-Type: application/json' -d '{"result":"Success"}' '${sim.url}/_sim/sessions/<id>/finish'`,
    `  curl -s${tlsFlag} -X POST -H 'Content-Type: application/json' -d '{"vm":"srv04","job":"Agent Backup Servers","result":"Failed","reason":"Agent offline"}' '${sim.url}/_sim/backupSessions'`,
    `  curl -s${tlsFlag} -X POST -H 'Content-Type: application/json' -d '{"errorRate":0.2,"latencyMs":300}' '${sim.url}/_sim/faults'`,
    `  curl -s${tlsFlag} '${sim.url}/_sim/stats'`,
  ];
  if (caFile) {
    lines.push('', `The self-signed certificate is in ${caFile} (use it as VEEAM_CA_FILE).`);
  }
  lines.push(
    '',
    `replibot against it: VEEAM_URL=${sim.url} VEEAM_USERNAME=${shellQuote(options.username)} VEEAM_PASSWORD=${shellQuote(options.password)}`,
  );
  lines.push('Stop with Ctrl-C.');
  return `${lines.join('\n')}\n`;
}

/** What `replibot sim` talks to: the process by default, a test in-process. */
export interface SimCommandIo {
  /** where the usage text and the stop line go; default process.stderr */
  write(text: string): void;
  /** resolves when the simulator should stop; default Ctrl-C (SIGINT) or SIGTERM */
  untilStopped(sim: RunningSimulator): Promise<void>;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `replibot sim`: runs the Enterprise Manager simulator until Ctrl-C. */
export function registerSimCommand(program: Command, io: Partial<SimCommandIo> = {}): void {
  const write = io.write ?? ((text: string) => void process.stderr.write(text));
  const untilStopped = io.untilStopped ?? untilSignal;
  program
    .command('sim')
    .description('Run the Veeam Enterprise Manager REST API simulator (for demos, tests and benchmarks)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (default 9399, or 9398 with --tls)', int('--port', 0, 65_535))
    .option('--seed <n>', 'seed of the generated data', int('--seed', 0, 2 ** 31), 1)
    .option('--tls', 'serve HTTPS with a self-signed certificate generated at start')
    .option('--sessions <n>', 'task sessions to generate', int('--sessions', 0, 5_000_000), 3000)
    .option('--days <n>', 'days of history', int('--days', 1, 3650), 30)
    .option(
      '--json-keys <style>',
      'JSON key casing: v12 (PascalCase) or v13 (camelCase)',
      (value: string) => {
        if (value !== 'v12' && value !== 'v13')
          throw new InvalidArgumentError('--json-keys must be v12 or v13.');
        return value;
      },
      'v12',
    )
    .option('--username <user>', 'Basic user name', 'replibot')
    .option('--password <password>', 'Basic password', 'replibot')
    .option(
      '--lag <seconds>',
      'collection lag: sessions show up this long after they start or finish',
      int('--lag', 0, 86_400),
      0,
    )
    .option('--idle <seconds>', 'idle logon session expiry', int('--idle', 1, 86_400), 900)
    .option('--latency <ms>', 'added latency per request', int('--latency', 0, 600_000), 0)
    .option('--error-rate <r>', 'share of requests answered 500/503', rate('--error-rate'), 0)
    .option('--malformed-rate <r>', 'share of answers with a cut-off body', rate('--malformed-rate'), 0)
    .option('--drop-rate <r>', 'share of connections dropped without an answer', rate('--drop-rate'), 0)
    .option('--failure-rate <r>', 'share of generated tasks that fail', rate('--failure-rate'))
    .option('--warning-rate <r>', 'share of generated tasks that end with a warning', rate('--warning-rate'))
    .option('--json-bom', 'prefix JSON bodies with a UTF-8 BOM, as some EM builds do')
    .action(async (options: SimCliOptions) => {
      const data: NonNullable<SimulatorOptions['data']> = {
        taskSessions: options.sessions,
        days: options.days,
      };
      if (options.failureRate !== undefined) data.failureRate = options.failureRate;
      if (options.warningRate !== undefined) data.warningRate = options.warningRate;
      const sim = await startSimulator({
        host: options.host,
        port: options.port ?? (options.tls ? 9398 : 9399),
        seed: options.seed,
        tls: options.tls === true,
        username: options.username,
        password: options.password,
        keyStyle: options.jsonKeys,
        sessionIdleSeconds: options.idle,
        collectionLagSeconds: options.lag,
        jsonBom: options.jsonBom === true,
        data,
        faults: {
          latencyMs: options.latency,
          errorRate: options.errorRate,
          malformedRate: options.malformedRate,
          dropRate: options.dropRate,
        },
      });
      let caFile: string | null = null;
      if (sim.caPem) {
        caFile = join(tmpdir(), `replibot-sim-${sim.port}.pem`);
        writeFileSync(caFile, sim.caPem);
      }
      write(toSimUsage(sim, options, caFile));
      try {
        await untilStopped(sim);
      } finally {
        await sim.close();
      }
      write('EM simulator stopped.\n');
    });
}
