/** Step 1: where the domain comes from — a sample, a file, a libvirt connection, or a new template. */
import {
  ActionGroup,
  Button,
  Card,
  CardBody,
  CardHeader,
  CardTitle,
  Checkbox,
  Content,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  Gallery,
  HelperText,
  HelperTextItem,
  List,
  ListItem,
  TextInput,
} from '@patternfly/react-core';
import { Suspense, useEffect, useId, useRef, useState } from 'react';
import type { AppInfo, Recent, Sample } from '../../../src/contracts/ipc';
import * as api from '../../api';
import { useWizard, useWizardStore } from '../../store/context';
import { isBusy } from '../../store/selectors';
import type { WizardStore } from '../../store/store';
import { useAppInfo } from '../app-info';
import { DomainList } from '../deferred-views';
import { loadChecked, loadMark, loadUpload, stillCurrent } from '../load-domain';
import { NOT_RUN, serviceCall } from '../service-call';
import { StepHeading } from './step-heading';
import { TEMPLATE_MACHINES, templateXml, type TemplateChoice } from './templates';

export function StartStep() {
  const store = useWizardStore();
  const [samples, setSamples] = useState<readonly Sample[]>([]);
  const info = useAppInfo();
  const [recent, setRecent] = useState<Recent>({ files: [], uris: [] });
  useEffect(() => {
    let live = true;
    void serviceCall(store, 'Loading the samples', () => Promise.all([api.listSamples(), api.getRecent()]), {
      background: true,
    }).then((r) => {
      if (r === NOT_RUN || !live) return;
      setSamples(r[0]);
      setRecent(r[1]);
    });
    return () => {
      live = false;
    };
  }, [store]);

  return (
    <section aria-labelledby="start-title" data-testid="step-ready">
      <StepHeading id="start-title" title="Choose a domain">
        The wizard changes nothing until you save or define on the last step.
      </StepHeading>
      <Gallery hasGutter minWidths={{ default: '100%', md: '320px' }}>
        <SamplesCard samples={samples} onPick={(s) => loadChecked(store, { kind: 'sample', id: s.id, title: s.title }, s.xml, s.title)} />
        <FileCard info={info} recentFiles={recent.files} />
        <LibvirtCard defaultUri={info?.defaultUri ?? 'test:///default'} recentUris={recent.uris} />
        <TemplateCard />
      </Gallery>
    </section>
  );
}

function SamplesCard({ samples, onPick }: { samples: readonly Sample[]; onPick: (s: Sample) => void }) {
  const id = useId();
  return (
    <Card isCompact aria-labelledby={`${id}-title`}>
      <CardHeader>
        <CardTitle id={`${id}-title`} component="h3">
          Start from a sample
        </CardTitle>
      </CardHeader>
      <CardBody>
        <List isPlain className="vaw-choices">
          {samples.map((s, i) => (
            <ListItem key={s.id}>
              <Button
                variant="link"
                isInline
                onClick={() => onPick(s)}
                data-testid={`sample-${s.id}`}
                data-primary-action={i === 0 ? '' : undefined}
                aria-describedby={`${id}-${s.id}`}
              >
                {s.title}
              </Button>
              <Content component="small" id={`${id}-${s.id}`} className="vaw-muted">
                {s.description}
              </Content>
            </ListItem>
          ))}
        </List>
      </CardBody>
    </Card>
  );
}

/** Opens a file by path through the services; its answer is dropped if another domain was loaded meanwhile. */
async function openPath(store: WizardStore, path: string): Promise<void> {
  const mark = loadMark(store);
  const f = await serviceCall(store, `Reading ${path}`, () => api.readFile({ path }));
  if (f === NOT_RUN || !stillCurrent(store, mark)) return;
  if (!loadChecked(store, { kind: 'file', path: f.path, fingerprint: f.fingerprint }, f.text, f.path)) return;
  void serviceCall(store, 'Remembering the file', () => api.addRecent({ file: f.path }), { background: true });
}

function FileCard({ info, recentFiles }: { info: AppInfo | null; recentFiles: readonly string[] }) {
  const store = useWizardStore();
  const busy = useWizard(isBusy);
  const [path, setPath] = useState('');
  const [dragging, setDragging] = useState(false);
  const upload = useRef<HTMLInputElement>(null);
  const id = useId();
  return (
    <Card
      isCompact
      aria-labelledby={`${id}-title`}
      className={dragging ? 'vaw-drop vaw-dragging' : 'vaw-drop'}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const f = e.dataTransfer.files[0];
        if (f) void loadUpload(store, f);
      }}
    >
      <CardHeader>
        <CardTitle id={`${id}-title`} component="h3">
          Open a domain XML file
        </CardTitle>
      </CardHeader>
      <CardBody>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            if (path.trim()) void openPath(store, path.trim());
          }}
        >
          {info?.mode === 'electron' && (
            <Button
              variant="secondary"
              isDisabled={busy}
              onClick={() =>
                void serviceCall(store, 'Opening a file', () => api.pickFile()).then((f) => {
                  if (f !== NOT_RUN && f) loadChecked(store, { kind: 'file', path: f.path, fingerprint: f.fingerprint }, f.text, f.path);
                })
              }
            >
              Choose a file…
            </Button>
          )}
          <FieldWithRecent
            id={`${id}-path`}
            label="Path on this machine"
            value={path}
            onChange={setPath}
            placeholder="/etc/libvirt/qemu/guest.xml"
            testId="file-path"
            recent={recentFiles}
            submit="Open"
            submitDisabled={busy || path.trim() === ''}
          />
          <FormGroup label="Or upload a copy" fieldId={`${id}-upload`}>
            <input
              ref={upload}
              id={`${id}-upload`}
              type="file"
              accept=".xml,text/xml"
              className="vaw-file-input"
              data-testid="upload"
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void loadUpload(store, f);
              }}
            />
            <FormHelperText>
              <HelperText>
                <HelperTextItem>
                  Or drop the file on this card. A copy is reviewed here and saved where you choose; the original is not touched.
                </HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

function LibvirtCard({ defaultUri, recentUris }: { defaultUri: string; recentUris: readonly string[] }) {
  const store = useWizardStore();
  const busy = useWizard(isBusy);
  const [uri, setUri] = useState('');
  const [domains, setDomains] = useState<{ uri: string; list: readonly { name: string; state: string }[] } | null>(null);
  const id = useId();
  const effective = uri.trim() || defaultUri;
  const list = () =>
    void serviceCall(store, `Listing the domains on ${effective}`, (callId) => api.listDomains({ uri: effective }, callId), {
      channel: 'libvirt.list',
    }).then(async (r) => {
      if (r === NOT_RUN) return;
      // The list's code and stylesheet arrive first, so it never shows unstyled nor suspends.
      await DomainList.preload();
      setDomains({ uri: effective, list: r });
      void serviceCall(store, 'Remembering the connection', () => api.addRecent({ uri: effective }), { background: true });
    });
  const open = (from: string, name: string) => {
    const mark = loadMark(store);
    void serviceCall(store, `Reading ${name} from ${from}`, (callId) => api.readDomain({ uri: from, name }, callId), {
      channel: 'libvirt.read',
    }).then((d) => {
      if (d === NOT_RUN || !stillCurrent(store, mark)) return;
      loadChecked(store, { kind: 'libvirt', uri: from, name, loadedXml: d.xml }, d.xml, `${name} on ${from}`, {
        host: d.host,
        qemuArgv: d.qemuArgv,
        hostProblem: d.capabilitiesProblem,
      });
    });
  };
  return (
    <Card isCompact aria-labelledby={`${id}-title`}>
      <CardHeader>
        <CardTitle id={`${id}-title`} component="h3">
          From libvirt
        </CardTitle>
      </CardHeader>
      <CardBody>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            list();
          }}
        >
          <FieldWithRecent
            id={`${id}-uri`}
            label="Connection URI"
            value={uri}
            onChange={setUri}
            placeholder={defaultUri}
            testId="libvirt-uri"
            recent={recentUris}
            submit="List domains"
            submitDisabled={busy}
          />
        </Form>
        {domains && (
          <Suspense fallback={null}>
            <DomainList.View uri={domains.uri} list={domains.list} busy={busy} onOpen={(name) => open(domains.uri, name)} />
          </Suspense>
        )}
      </CardBody>
    </Card>
  );
}

function TemplateCard() {
  const store = useWizardStore();
  const [t, setT] = useState<TemplateChoice>({ arch: 'x86_64', machine: 'q35', disk: true, nic: true });
  const id = useId();
  return (
    <Card isCompact aria-labelledby={`${id}-title`}>
      <CardHeader>
        <CardTitle id={`${id}-title`} component="h3">
          New domain from a template
        </CardTitle>
      </CardHeader>
      <CardBody>
        <Form
          onSubmit={(e) => {
            e.preventDefault();
            const title = `New ${t.arch} ${t.machine} domain`;
            loadChecked(store, { kind: 'template', title }, templateXml(t), title);
          }}
        >
          <FormGroup label="Architecture" fieldId={`${id}-arch`}>
            <FormSelect
              id={`${id}-arch`}
              value={t.arch}
              onChange={(_e, v) => {
                const arch = v as TemplateChoice['arch'];
                setT({ ...t, arch, machine: TEMPLATE_MACHINES[arch][0]! });
              }}
            >
              {Object.keys(TEMPLATE_MACHINES).map((a) => (
                <FormSelectOption key={a} value={a} label={a} />
              ))}
            </FormSelect>
          </FormGroup>
          <FormGroup label="Machine" fieldId={`${id}-machine`}>
            <FormSelect id={`${id}-machine`} value={t.machine} onChange={(_e, v) => setT({ ...t, machine: v })}>
              {TEMPLATE_MACHINES[t.arch].map((m) => (
                <FormSelectOption key={m} value={m} label={m} />
              ))}
            </FormSelect>
          </FormGroup>
          <FormGroup role="group" label="Devices" fieldId={`${id}-disk`}>
            <Checkbox id={`${id}-disk`} label="virtio disk" isChecked={t.disk} onChange={(_e, v) => setT({ ...t, disk: v })} />
            <Checkbox id={`${id}-nic`} label="virtio network card" isChecked={t.nic} onChange={(_e, v) => setT({ ...t, nic: v })} />
          </FormGroup>
          <ActionGroup>
            <Button type="submit" variant="secondary">
              Create
            </Button>
          </ActionGroup>
        </Form>
      </CardBody>
    </Card>
  );
}

/** A text field submitted by the button beside it, offering the values used before (a datalist) as suggestions. */
function FieldWithRecent(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  testId: string;
  recent: readonly string[];
  submit: string;
  submitDisabled: boolean;
}) {
  const { id, recent } = props;
  return (
    <FormGroup label={props.label} fieldId={id}>
      <div className="vaw-inline-form">
        <TextInput
          id={id}
          list={`${id}-recent`}
          value={props.value}
          onChange={(_e, v) => props.onChange(v)}
          placeholder={props.placeholder}
          data-testid={props.testId}
        />
        <Button type="submit" variant="secondary" isDisabled={props.submitDisabled}>
          {props.submit}
        </Button>
      </div>
      <datalist id={`${id}-recent`}>
        {recent.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
    </FormGroup>
  );
}
