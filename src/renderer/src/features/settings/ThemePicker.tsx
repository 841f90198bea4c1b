import type { Theme } from '@shared/model/settings';
import { Icon, type IconName } from '../../components/Icon';
import { THEME_LABEL, THEME_ORDER, useSettings } from '../../store/settings';

const THEME_ICON: Record<Theme, IconName> = { system: 'system', light: 'sun', dark: 'moon' };

/** System / Light / Dark as a segmented radio group. */
export function ThemePicker() {
  const theme = useSettings((s) => s.theme);
  return (
    <div className="segmented" role="radiogroup" aria-label="Theme">
      {THEME_ORDER.map((t) => (
        <label key={t} className={`segmented-item${theme === t ? ' is-checked' : ''}`}>
          <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => void useSettings.getState().setTheme(t)} />
          <Icon name={THEME_ICON[t]} />
          <span>{THEME_LABEL[t]}</span>
        </label>
      ))}
    </div>
  );
}

export { THEME_ICON };
