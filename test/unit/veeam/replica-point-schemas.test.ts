import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQueryPage } from '../../../src/veeam/em-schemas.js';
import { parseEmBody } from '../../../src/veeam/parse-em-body.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/em/${name}`, import.meta.url), 'utf8');

describe('parseQueryPage for VmReplicaPoint', () => {
  it('reads the docs example and a row without links, and leaves out the row with a bad date', () => {
    const page = parseQueryPage('VmReplicaPoint', parseEmBody(fixture('vm-replica-points.odd-row.xml')).tree);
    expect(page.items).toEqual([
      {
        uid: 'urn:veeam:VmReplicaPoint:9b414afe-e957-4d40-a144-7d02de9a041c',
        id: '9b414afe-e957-4d40-a144-7d02de9a041c',
        name: 'sql02@2014-10-19 05:44:54',
        vmDisplayName: 'sql02',
        creationTime: new Date('2014-10-19T05:44:54Z'),
        algorithm: 'Full',
        pointType: 'Snapshot',
        jobName: 'SQL Replication',
        replicaUid: 'urn:veeam:Replica:fe4d9334-8801-440c-9994-5a16181d7fb0',
        backupServerName: 'srv02.tech.local',
      },
      expect.objectContaining({ vmDisplayName: 'dc01', jobName: null, algorithm: null, replicaUid: null }),
    ]);
    expect(page.unreadable).toEqual([
      expect.objectContaining({
        uid: 'urn:veeam:VmReplicaPoint:1b414afe-e957-4d40-a144-7d02de9a041c',
        field: 'creationtimeutc',
      }),
    ]);
  });

  it('reads members named VmRestorePoint, as the 2017 XSD spells them', () => {
    const text = fixture('vm-replica-points.odd-row.xml').replace(
      /<(\/?)VmReplicaPoint([ >])/g,
      '<$1VmRestorePoint$2',
    );
    expect(
      parseQueryPage('VmReplicaPoint', parseEmBody(text).tree).items.map((p) => p.vmDisplayName),
    ).toEqual(['sql02', 'dc01']);
  });

  it('reads v12 and v13 JSON', () => {
    const v12 = {
      Entities: {
        VmReplicaPoints: {
          VmReplicaPoints: [
            {
              CreationTimeUTC: '2026-06-16T06:33:10.659559Z',
              VmName: 'web01',
              Algorithm: 'Incremental',
              PointType: 'Snapshot',
              VmDisplayName: 'web01',
              Name: 'web01@2026-06-16 06:33:10.659559',
              UID: 'urn:veeam:VmReplicaPoint:3b414afe-e957-4d40-a144-7d02de9a041c',
              Links: [
                { Rel: 'Up', Type: 'ReplicaReference', Href: 'https://em/api/replicas/abc', Name: 'Web DR' },
              ],
              Href: null,
              Type: 'VmReplicaPoint',
            },
          ],
        },
      },
      PagingInfo: { PageNum: 1, PageSize: 500, PagesCount: 1, Links: [] },
    };
    const camel = JSON.parse(
      JSON.stringify(v12).replace(/"([A-Z][A-Za-z]*)":/g, (_, key: string) => {
        const lower =
          key === 'UID' ? 'uid' : key.replace(/^[A-Z]+(?=[A-Z][a-z]|$)|^[A-Z]/, (m) => m.toLowerCase());
        return `"${lower}":`;
      }),
    );
    for (const body of [v12, camel]) {
      const page = parseQueryPage('VmReplicaPoint', parseEmBody(JSON.stringify(body)).tree);
      expect(
        page.items.map((p) => [p.vmDisplayName, p.jobName, p.replicaUid, p.creationTime.toISOString()]),
      ).toEqual([['web01', 'Web DR', 'urn:veeam:Replica:abc', '2026-06-16T06:33:10.659Z']]);
    }
  });
});
