/**
 * The bounce-buffer (SWIOTLB) figures of the planned domain on Review, as the engine reports them
 * (src/contracts/swiotlb.ts, built by src/engine/swiotlb.ts; the same report `plan --json` prints): the pool the
 * guest has, the most its virtio devices can have mapped at once, device by device, and the swiotlb= that covers
 * it with what it costs, then the assumptions and sources behind the numbers. Nothing here computes a figure.
 */
import {
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  ExpandableSection,
  List,
  ListItem,
  Title,
} from '@patternfly/react-core';
import type { SwiotlbReport } from '../../../src/contracts/swiotlb';
import { swiotlbAdvice } from '../../../src/engine';

const mib = (n: number) => `${n} MiB`;

export function SwiotlbFigures({ report: r }: { report: SwiotlbReport }) {
  return (
    <section aria-labelledby="swiotlb-title" data-testid="swiotlb">
      <Title headingLevel="h3" className="vaw-section-title" id="swiotlb-title">
        Bounce buffers (SWIOTLB)
      </Title>
      <DescriptionList isHorizontal isCompact aria-label="Bounce-buffer figures" horizontalTermWidthModifier={{ default: '18ch' }}>
        <DescriptionListGroup>
          <DescriptionListTerm>Default pool</DescriptionListTerm>
          <DescriptionListDescription data-testid="swiotlb-default">
            {mib(r.defaultMiB)} <span className="vaw-muted">(what the guest kernel makes without a swiotlb= size)</span>
          </DescriptionListDescription>
        </DescriptionListGroup>
        {r.currentMiB !== r.defaultMiB && (
          <DescriptionListGroup>
            <DescriptionListTerm>Pool with the XML&rsquo;s command line</DescriptionListTerm>
            <DescriptionListDescription data-testid="swiotlb-current">{mib(r.currentMiB)}</DescriptionListDescription>
          </DescriptionListGroup>
        )}
        <DescriptionListGroup>
          <DescriptionListTerm>Worst case at once</DescriptionListTerm>
          <DescriptionListDescription data-testid="swiotlb-peak">
            {mib(r.peakMiB)} <span className="vaw-muted">(the most the virtio devices can have mapped at one time)</span>
            {r.devices.length > 0 && (
              <List isPlain className="vaw-swiotlb-devices">
                {r.devices.map((x) => (
                  <ListItem key={x.target}>
                    {x.label}: {mib(x.peakMiB)} <span className="vaw-muted">— {x.basis}</span>
                  </ListItem>
                ))}
              </List>
            )}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>Recommended pool</DescriptionListTerm>
          <DescriptionListDescription data-testid="swiotlb-recommended">
            {mib(r.recommendedMiB)}
            {r.parameter && (
              <>
                {' '}
                (<code>{r.parameter}</code>, {mib(r.costMiB)} of guest memory)
              </>
            )}
          </DescriptionListDescription>
        </DescriptionListGroup>
        <DescriptionListGroup>
          <DescriptionListTerm>What to do</DescriptionListTerm>
          <DescriptionListDescription data-testid="swiotlb-advice">{swiotlbAdvice(r)}</DescriptionListDescription>
        </DescriptionListGroup>
      </DescriptionList>
      <ExpandableSection toggleText={`What these figures assume (${r.assumptions.length}), and sources`}>
        <List>
          {r.assumptions.map((a) => (
            <ListItem key={a}>{a}</ListItem>
          ))}
        </List>
        {r.sources.length > 0 && (
          <p className="vaw-sources">
            Sources:{' '}
            {r.sources.map((s, k) => (
              <span key={`${s.key} ${s.detail}`}>
                {k > 0 && '; '}
                {s.url ? (
                  <a href={s.url} target="_blank" rel="noreferrer noopener">
                    {s.key}
                  </a>
                ) : (
                  s.key
                )}{' '}
                {s.detail}
              </span>
            ))}
          </p>
        )}
      </ExpandableSection>
    </section>
  );
}
