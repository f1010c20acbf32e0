/** Findings grouped by device (domain first), most severe first, each expandable into its full explanation. */
import type { Finding } from '../../../src/contracts/findings';

const ORDER = { error: 0, warning: 1, info: 2 } as const;

export function FindingsList({ findings, labels }: { findings: readonly Finding[]; labels: ReadonlyMap<string, string> }) {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.target, [...(groups.get(f.target) ?? []), f]);
  if (findings.length === 0) return <p>No findings: nothing to fix.</p>;
  return (
    <div className="findings">
      {[...groups].map(([target, list]) => (
        <section key={target} aria-label={labels.get(target) ?? target}>
          <h4>{labels.get(target) ?? (target === '/domain' ? 'Domain' : target)}</h4>
          <ul className="plain">
            {[...list]
              .sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
              .map((f, i) => (
                <li key={`${f.rule}-${i}`} className={`finding ${f.severity}`} data-rule={f.rule}>
                  <details>
                    <summary>
                      <span className={`badge ${f.severity}`}>{f.severity}</span> <span className="rule">{f.rule}</span> {f.title}
                    </summary>
                    {f.explanation.split('\n').map((p, k) => (
                      <p key={k}>{p}</p>
                    ))}
                    {f.messages && f.messages.length > 0 && (
                      <>
                        <p>What you would see:</p>
                        <ul>
                          {f.messages.map((m) => (
                            <li key={m}>
                              <code>{m}</code>
                            </li>
                          ))}
                        </ul>
                      </>
                    )}
                    <p>
                      <strong>Fix:</strong> {f.fix.text}
                      {f.fix.edits.length > 0 && <span className="muted"> (the plan does this)</span>}
                    </p>
                    <p className="sources">
                      Sources:{' '}
                      {f.sources.map((s, k) => (
                        <span key={k}>
                          {k > 0 && '; '}
                          {s.url ? (
                            <a href={s.url} target="_blank" rel="noreferrer noopener">
                              {s.key}
                            </a>
                          ) : (
                            s.key
                          )}{' '}
                          ({s.detail})
                        </span>
                      ))}
                    </p>
                  </details>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
