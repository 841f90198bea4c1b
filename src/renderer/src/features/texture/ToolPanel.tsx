import { hexToRgb, rgbToHex } from '@shared/texture';
import { Button } from '../../components/Button';
import { useTextureDocument, type TextureTool } from './documentStore';

const TOOLS: { id: TextureTool; label: string; key: string }[] = [
  { id: 'brush', label: 'Brush', key: 'B' },
  { id: 'eraser', label: 'Eraser', key: 'E' },
  { id: 'fill', label: 'Fill', key: 'G' },
  { id: 'picker', label: 'Picker', key: 'I' },
  { id: 'sticker', label: 'Sticker', key: 'V' },
];

function Slider({ label, value, min, max, step = 1, unit = '', onChange }: { label: string; value: number; min: number; max: number; step?: number; unit?: string; onChange: (v: number) => void }) {
  return (
    <label className="texture-slider">
      <span>{label}</span>
      <input type="range" min={min} max={max} step={step} value={value} aria-label={label} onChange={(e) => onChange(Number(e.target.value))} />
      <span className="texture-num">
        {value}
        {unit}
      </span>
    </label>
  );
}

/** Tools, colour and brush settings; the sticker tool's flip buttons act on the selected sticker. */
export function ToolPanel() {
  const tool = useTextureDocument((s) => s.tool);
  const colour = useTextureDocument((s) => s.colour);
  const brush = useTextureDocument((s) => s.brush);
  const tolerance = useTextureDocument((s) => s.fillTolerance);
  const active = useTextureDocument((s) => s.layers.find((l) => l.id === s.activeLayerId) ?? null);
  const s = useTextureDocument.getState();
  return (
    <aside className="texture-tools" aria-label="Tools">
      <div className="texture-tool-buttons" role="radiogroup" aria-label="Tool">
        {TOOLS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="radio"
            aria-checked={tool === t.id}
            className={`texture-tool${tool === t.id ? ' is-active' : ''}`}
            title={`${t.label} (${t.key})`}
            data-testid={`tool-${t.id}`}
            onClick={() => s.setTool(t.id)}
          >
            {t.label}
            <kbd>{t.key}</kbd>
          </button>
        ))}
      </div>
      <label className="texture-colour">
        <span>Colour</span>
        <input type="color" value={rgbToHex(colour)} aria-label="Paint colour" data-testid="texture-colour" onChange={(e) => s.setColour(hexToRgb(e.target.value))} />
        <code>{rgbToHex(colour)}</code>
      </label>
      {(tool === 'brush' || tool === 'eraser' || tool === 'fill') && (
        <div className="texture-brush">
          {tool !== 'fill' && <Slider label="Size" value={brush.size} min={1} max={256} unit=" px" onChange={(size) => s.setBrush({ size })} />}
          {tool !== 'fill' && <Slider label="Hardness" value={Math.round(brush.hardness * 100)} min={0} max={100} unit="%" onChange={(v) => s.setBrush({ hardness: v / 100 })} />}
          <Slider label="Opacity" value={Math.round(brush.opacity * 100)} min={1} max={100} unit="%" onChange={(v) => s.setBrush({ opacity: v / 100 })} />
          {tool === 'fill' && <Slider label="Tolerance" value={tolerance} min={0} max={255} onChange={(v) => s.setFillTolerance(v)} />}
          {tool !== 'fill' && (
            <>
              <label className="texture-check">
                <input type="checkbox" checked={brush.pressureSize} onChange={(e) => s.setBrush({ pressureSize: e.target.checked })} /> Pressure → size
              </label>
              <label className="texture-check">
                <input type="checkbox" checked={brush.pressureOpacity} onChange={(e) => s.setBrush({ pressureOpacity: e.target.checked })} /> Pressure → opacity
              </label>
            </>
          )}
        </div>
      )}
      {tool === 'sticker' && (
        <div className="texture-sticker-tools">
          {active?.kind === 'sticker' ? (
            <>
              <p className="muted">Drag the sticker to move it, a corner to scale, the round knob to rotate.</p>
              <div className="texture-row">
                <Button size="sm" onClick={() => s.updateLayer(active.id, { transform: { ...active.transform, flipX: !active.transform.flipX } })}>
                  Flip ↔
                </Button>
                <Button size="sm" onClick={() => s.updateLayer(active.id, { transform: { ...active.transform, flipY: !active.transform.flipY } })}>
                  Flip ↕
                </Button>
                <Button size="sm" variant="ghost" onClick={() => s.updateLayer(active.id, { transform: { ...active.transform, rotation: 0 } })}>
                  Upright
                </Button>
              </div>
            </>
          ) : (
            <p className="muted">Click a sticker on the map (or select a sticker layer) to move, scale, rotate or flip it.</p>
          )}
        </div>
      )}
      {tool === 'picker' && <p className="muted">Click the map to take its colour.</p>}
    </aside>
  );
}
