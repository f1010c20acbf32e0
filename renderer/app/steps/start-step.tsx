/** Step 1: where the domain comes from — a sample, a file, a libvirt connection, or a new template. */
import { useEffect, useId, useState } from 'react';
import type { AppInfo, Recent, Sample } from '../../../src/contracts/ipc';
import * as api from '../../api';
import { useWizard } from '../../store/store';
import { serviceCall } from '../service-call';
import { TEMPLATE_MACHINES, templateXml, type TemplateChoice } from './templates';

export function StartStep() {
  const load = useWizard((s) => s.load);
  const [samples, setSamples] = useState<readonly Sample[]>([]);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [recent, setRecent] = useState<Recent>({ files: [], uris: [] });
  useEffect(() => {
    void serviceCall('Loading samples', async () => {
      const [s, i, r] = await Promise.all([api.listSamples(), api.appInfo(), api.getRecent()]);
      setSamples(s);
      setInfo(i);
      setRecent(r);
    });
  }, []);

  return (
    <section aria-labelledby="start-title" data-testid="step-ready">
      <h2 id="start-title">Choose a domain</h2>
      <div className="cards">
        <SamplesCard samples={samples} onPick={(s) => load({ kind: 'sample', id: s.id, title: s.title }, s.xml)} />
        <FileCard info={info} recentFiles={recent.files} />
        <LibvirtCard defaultUri={info?.defaultUri ?? 'test:///default'} recentUris={recent.uris} />
        <TemplateCard />
      </div>
    </section>
  );
}

function SamplesCard({ samples, onPick }: { samples: readonly Sample[]; onPick: (s: Sample) => void }) {
  return (
    <article className="card" aria-labelledby="samples-title">
      <h3 id="samples-title">Start from a sample</h3>
      <ul className="plain">
        {samples.map((s) => (
          <li key={s.id}>
            <button type="button" onClick={() => onPick(s)} data-testid={`sample-${s.id}`}>
              {s.title}
            </button>
            <p className="muted">{s.description}</p>
          </li>
        ))}
      </ul>
    </article>
  );
}

async function openPath(path: string): Promise<void> {
  const f = await serviceCall(`Reading ${path}`, () => api.readFile({ path }));
  if (!f) return;
  useWizard.getState().load({ kind: 'file', path: f.path, fingerprint: f.fingerprint }, f.text);
  await serviceCall('Remembering the file', () => api.addRecent({ file: f.path }));
}

function FileCard({ info, recentFiles }: { info: AppInfo | null; recentFiles: readonly string[] }) {
  const [path, setPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const id = useId();
  const loadUpload = async (file: File) => useWizard.getState().load({ kind: 'upload', name: file.name }, await file.text());
  return (
    <article
      className={`card drop${dragging ? ' dragging' : ''}`}
      aria-labelledby={`${id}-title`}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const f = e.dataTransfer.files[0];
        if (f) void loadUpload(f);
      }}
    >
      <h3 id={`${id}-title`}>Open a domain XML file</h3>
      {info?.mode === 'electron' && (
        <button
          type="button"
          onClick={() =>
            void serviceCall('Opening', async () => {
              const f = await api.pickFile();
              if (f) useWizard.getState().load({ kind: 'file', path: f.path, fingerprint: f.fingerprint }, f.text);
            })
          }
        >
          Choose a file…
        </button>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void openPath(path.trim());
        }}
      >
        <label htmlFor={`${id}-path`}>Path on this machine</label>
        <input
          id={`${id}-path`}
          list={`${id}-recent`}
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/etc/libvirt/qemu/guest.xml"
          data-testid="file-path"
        />
        <datalist id={`${id}-recent`}>
          {recentFiles.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <button type="submit">Open</button>
      </form>
      <label htmlFor={`${id}-upload`}>Or upload a copy (drop it here)</label>
      <input
        id={`${id}-upload`}
        type="file"
        accept=".xml,text/xml"
        onChange={(e) => e.target.files?.[0] && void loadUpload(e.target.files[0])}
      />
      <p className="muted">An uploaded copy is reviewed here and saved to a path you choose on Apply; the original is not touched.</p>
    </article>
  );
}

function LibvirtCard({ defaultUri, recentUris }: { defaultUri: string; recentUris: readonly string[] }) {
  const [uri, setUri] = useState('');
  const [domains, setDomains] = useState<readonly { name: string; state: string }[] | null>(null);
  const id = useId();
  const effective = uri.trim() || defaultUri;
  const list = () =>
    void serviceCall(`Listing domains on ${effective}`, async () => {
      setDomains(await api.listDomains({ uri: effective }));
      await api.addRecent({ uri: effective });
    });
  const open = (name: string) =>
    void serviceCall(`Reading ${name} from ${effective}`, async () => {
      const d = await api.readDomain({ uri: effective, name });
      useWizard.getState().load({ kind: 'libvirt', uri: effective, name, loadedXml: d.xml }, d.xml, d.host, d.qemuArgv);
    });
  return (
    <article className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>From libvirt</h3>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          list();
        }}
      >
        <label htmlFor={`${id}-uri`}>Connection URI</label>
        <input
          id={`${id}-uri`}
          list={`${id}-recent`}
          value={uri}
          onChange={(e) => setUri(e.target.value)}
          placeholder={defaultUri}
          data-testid="libvirt-uri"
        />
        <datalist id={`${id}-recent`}>
          {recentUris.map((u) => (
            <option key={u} value={u} />
          ))}
        </datalist>
        <button type="submit">List domains</button>
      </form>
      {domains && (
        <ul className="plain" aria-label={`Domains on ${effective}`}>
          {domains.length === 0 && <li>No domains on this connection.</li>}
          {domains.map((d) => (
            <li key={d.name}>
              <button type="button" onClick={() => open(d.name)} data-testid={`domain-${d.name}`}>
                {d.name}
              </button>{' '}
              <span className="muted">({d.state})</span>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function TemplateCard() {
  const [t, setT] = useState<TemplateChoice>({ arch: 'x86_64', machine: 'q35', disk: true, nic: true });
  const id = useId();
  return (
    <article className="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>New domain from a template</h3>
      <label htmlFor={`${id}-arch`}>Architecture</label>
      <select
        id={`${id}-arch`}
        value={t.arch}
        onChange={(e) => {
          const arch = e.target.value as TemplateChoice['arch'];
          setT({ ...t, arch, machine: TEMPLATE_MACHINES[arch][0]! });
        }}
      >
        {Object.keys(TEMPLATE_MACHINES).map((a) => (
          <option key={a}>{a}</option>
        ))}
      </select>
      <label htmlFor={`${id}-machine`}>Machine</label>
      <select id={`${id}-machine`} value={t.machine} onChange={(e) => setT({ ...t, machine: e.target.value })}>
        {TEMPLATE_MACHINES[t.arch].map((m) => (
          <option key={m}>{m}</option>
        ))}
      </select>
      <label>
        <input type="checkbox" checked={t.disk} onChange={(e) => setT({ ...t, disk: e.target.checked })} /> virtio disk
      </label>
      <label>
        <input type="checkbox" checked={t.nic} onChange={(e) => setT({ ...t, nic: e.target.checked })} /> virtio network card
      </label>
      <button
        type="button"
        onClick={() => useWizard.getState().load({ kind: 'template', title: `New ${t.arch} ${t.machine} domain` }, templateXml(t))}
      >
        Create
      </button>
    </article>
  );
}
