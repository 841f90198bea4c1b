import { useEffect, useRef, useState } from 'react';

/**
 * A name that turns into a text field for renaming. Enter (or leaving the field) keeps the new name, Esc cancels.
 * When the studio rejects the name, the field stays open with the reason under it.
 */
export function EditableName({
  name,
  editing,
  onStartEdit,
  onCommit,
  onDone,
  className,
  as: Tag = 'span',
  disabledReason,
}: {
  name: string;
  editing: boolean;
  onStartEdit: () => void;
  /** Resolves to an error message to show, or null when the rename worked. */
  onCommit: (next: string) => Promise<string | null>;
  onDone: () => void;
  className?: string;
  as?: 'span' | 'h1' | 'h2' | 'h3';
  disabledReason?: string | null;
}) {
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const finished = useRef(false);

  useEffect(() => {
    if (!editing) return;
    finished.current = false;
    setValue(name);
    setError(null);
    requestAnimationFrame(() => {
      inputRef.current?.focus();
      inputRef.current?.select();
    });
    // Only when editing starts: a rename arriving from elsewhere must not reset what the user is typing.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [editing]);

  const inFlight = useRef(false);
  const commit = async () => {
    if (finished.current || inFlight.current) return;
    const next = value.trim();
    if (next === name || next === '') {
      finished.current = true;
      onDone();
      return;
    }
    inFlight.current = true;
    setSaving(true);
    const problem = await onCommit(next);
    inFlight.current = false;
    setSaving(false);
    if (problem) {
      setError(problem);
      inputRef.current?.focus();
      return;
    }
    finished.current = true;
    onDone();
  };

  if (!editing) {
    return (
      <Tag
        className={`editable-name${className ? ` ${className}` : ''}`}
        title={disabledReason ? name : `${name} — double-click or press F2 to rename`}
        onDoubleClick={(e) => {
          e.stopPropagation();
          if (!disabledReason) onStartEdit();
        }}
      >
        {name}
      </Tag>
    );
  }
  return (
    <span className={`editable-name-editor${className ? ` ${className}` : ''}`}>
      <input
        ref={inputRef}
        className="input editable-name-input"
        aria-label="Project name"
        aria-invalid={error ? true : undefined}
        value={value}
        maxLength={120}
        readOnly={saving}
        aria-busy={saving || undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onClick={(e) => e.stopPropagation()}
        onDoubleClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Enter') {
            e.preventDefault();
            void commit();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            finished.current = true;
            onDone();
          }
        }}
        onBlur={() => void commit()}
      />
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
