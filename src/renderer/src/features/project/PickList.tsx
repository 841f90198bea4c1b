import { useState, type KeyboardEvent, type ReactNode } from 'react';
import type { Avatar } from '@shared/model/avatar';
import type { Capture } from '@shared/model/capture';
import { Button } from '../../components/Button';
import { AVATAR_PAGES, avatarRows, nextIndex, type AvatarPage } from './sectionPages';

/** Props for a row's main button: one row's is in the tab order; ↑/↓/Home/End move between rows' main buttons. */
export interface PrimaryProps {
  tabIndex: number;
  onFocus: () => void;
  'data-pick-primary': true;
}

/**
 * A keyboard-friendly list of things to pick (one tab stop; ↑/↓, Home/End go row to row; Enter presses the focused
 * button). Each row renders its text and buttons; it spreads `primary` on its main button.
 */
export function PickList<T extends { id: string }>({ items, label, renderRow }: { items: readonly T[]; label: string; renderRow: (item: T, primary: PrimaryProps) => ReactNode }) {
  const [active, setActive] = useState(0);
  const current = Math.min(active, Math.max(0, items.length - 1));

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
    const target = e.target as HTMLElement;
    if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
    const rows = Array.from(e.currentTarget.children);
    const at = rows.findIndex((row) => row.contains(target));
    const next = at < 0 ? null : nextIndex(e.key, at, items.length);
    if (next === null) return;
    e.preventDefault();
    setActive(next);
    rows[next]?.querySelector<HTMLElement>('[data-pick-primary]')?.focus();
  };

  return (
    <ul className="pick-list" aria-label={label} onKeyDown={onKeyDown}>
      {items.map((item, i) => (
        <li key={item.id} className="pick-row">
          {renderRow(item, { tabIndex: i === current ? 0 : -1, onFocus: () => setActive(i), 'data-pick-primary': true })}
        </li>
      ))}
    </ul>
  );
}

/**
 * The project's avatars to pick one for a page (Texture, Live, Export): "Name vN", what it is (test PSNR or
 * "texture edit of vM"), its capture and age, newest first, with the page's own action on each row.
 */
export function AvatarPicker({
  page,
  avatars,
  captures,
  onPick,
  badge,
}: {
  page: AvatarPage;
  avatars: readonly Avatar[];
  captures: readonly Pick<Capture, 'id' | 'name'>[];
  onPick: (avatarId: string) => void;
  /** Something to show after an avatar's title (the Texture page's "Baked"). */
  badge?: (avatarId: string) => ReactNode;
}) {
  const copy = AVATAR_PAGES[page];
  const rows = avatarRows(avatars, captures);
  return (
    <PickList
      items={rows}
      label={`Avatars to ${copy.action.replace('…', '').toLowerCase()}`}
      renderRow={(row, primary) => (
        <>
          <span className="pick-text">
            <span className="pick-title">
              {row.title}
              {badge?.(row.id)}
            </span>
            <span className="pick-detail muted">{[row.summary, `capture: ${row.capture}`, row.when].filter(Boolean).join(' · ')}</span>
          </span>
          <span className="pick-actions">
            <Button size="sm" variant="primary" icon={copy.icon} aria-label={copy.actionName(row.title)} onClick={() => onPick(row.id)} {...primary}>
              {copy.action}
            </Button>
          </span>
        </>
      )}
    />
  );
}
