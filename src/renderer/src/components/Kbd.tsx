import { keyCaps } from '../features/shortcuts/keys';

/** A shortcut written as key caps: <Kbd combo="Mod+N" /> → Ctrl N. */
export function Kbd({ combo }: { combo: string }) {
  return (
    <span className="kbd-combo">
      {keyCaps(combo).map((k, i) => (
        <kbd key={i}>{k}</kbd>
      ))}
    </span>
  );
}
