import { Icon } from '../../components/Icon';
import { hrefOf } from '../../store/route';
import { CAPABILITIES, LATER_NOTE } from './capabilities';

/**
 * The project's sections down the left, each a link to its page (Tracking, Texture, Live and Export have pages of
 * their own even with nothing chosen). Only built ones are interactive; the rest say they are coming.
 */
export function CapabilityRail({ active, projectId }: { active: string; projectId: string }) {
  return (
    <nav className="rail" aria-label="Project sections">
      <ul>
        {CAPABILITIES.map((c) =>
          c.available ? (
            <li key={c.id}>
              <a
                className={`rail-item${active === c.id ? ' is-active' : ''}`}
                aria-current={active === c.id ? 'page' : undefined}
                aria-label={c.label}
                title={c.note ? `${c.summary}. ${c.note}.` : c.summary}
                href={hrefOf(c.section ? { name: 'project', id: projectId, section: c.section } : { name: 'project', id: projectId })}
              >
                <Icon name={c.icon} size={18} />
                <span className="rail-text">
                  <span className="rail-label">{c.label}</span>
                  {c.note && <span className="rail-note">{c.note}</span>}
                </span>
              </a>
            </li>
          ) : (
            <li key={c.id}>
              <span className="rail-item is-unavailable" aria-disabled="true" title={`${c.summary}. ${LATER_NOTE}.`}>
                <Icon name={c.icon} size={18} />
                <span className="rail-text">
                  <span className="rail-label">{c.label}</span>
                  <span className="rail-note">{LATER_NOTE}</span>
                </span>
              </span>
            </li>
          ),
        )}
      </ul>
    </nav>
  );
}
