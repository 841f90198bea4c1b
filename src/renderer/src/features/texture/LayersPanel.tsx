import { useState } from 'react';
import { BLEND_MODES, rgbToHex, type BlendMode, type TextureLayer } from '@shared/texture';
import { Button } from '../../components/Button';
import { useTextureDocument } from './documentStore';

const KIND_LABEL: Record<TextureLayer['kind'], string> = { paint: 'Paint', sticker: 'Sticker', fill: 'Fill', image: 'Image' };

/** One layer row: visibility, name (double-click to rename), kind; selected rows show opacity and blend mode. */
function LayerRow({ layer, index, selected, onDragIndex }: { layer: TextureLayer; index: number; selected: boolean; onDragIndex: (from: number, to: number) => void }) {
  const s = useTextureDocument.getState();
  const [renaming, setRenaming] = useState(false);
  const [dropHint, setDropHint] = useState(false);
  return (
    <li
      className={`texture-layer${selected ? ' is-selected' : ''}${dropHint ? ' is-drop-target' : ''}${layer.visible ? '' : ' is-hidden'}`}
      data-testid="texture-layer"
      data-layer-kind={layer.kind}
      aria-selected={selected}
      draggable={!renaming}
      onDragStart={(e) => {
        e.dataTransfer.setData('application/x-texture-layer', String(index));
        e.dataTransfer.effectAllowed = 'move';
      }}
      onDragOver={(e) => {
        if (!e.dataTransfer.types.includes('application/x-texture-layer')) return;
        e.preventDefault();
        setDropHint(true);
      }}
      onDragLeave={() => setDropHint(false)}
      onDrop={(e) => {
        setDropHint(false);
        const from = Number(e.dataTransfer.getData('application/x-texture-layer'));
        if (Number.isInteger(from)) onDragIndex(from, index);
      }}
      onClick={() => s.selectLayer(layer.id)}
    >
      <div className="texture-layer-line">
        <button
          type="button"
          className="texture-layer-eye"
          aria-pressed={layer.visible}
          aria-label={layer.visible ? `Hide ${layer.name}` : `Show ${layer.name}`}
          title={layer.visible ? 'Hide' : 'Show'}
          onClick={(e) => {
            e.stopPropagation();
            s.updateLayer(layer.id, { visible: !layer.visible });
          }}
        >
          {layer.visible ? '●' : '○'}
        </button>
        {layer.kind === 'fill' && <span className="texture-layer-swatch" style={{ background: rgbToHex(layer.colour) }} />}
        {renaming ? (
          <input
            className="input texture-layer-name-input"
            defaultValue={layer.name}
            autoFocus
            aria-label="Layer name"
            maxLength={200}
            onClick={(e) => e.stopPropagation()}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
              if (e.key === 'Escape') {
                (e.target as HTMLInputElement).value = layer.name;
                (e.target as HTMLInputElement).blur();
              }
              e.stopPropagation();
            }}
            onBlur={(e) => {
              const name = e.target.value.trim();
              if (name && name !== layer.name) s.updateLayer(layer.id, { name });
              setRenaming(false);
            }}
          />
        ) : (
          <span className="texture-layer-name" title="Double-click to rename" onDoubleClick={() => setRenaming(true)}>
            {layer.name}
          </span>
        )}
        <span className="texture-layer-kind muted">{KIND_LABEL[layer.kind]}</span>
      </div>
      {selected && (
        <div className="texture-layer-props" onClick={(e) => e.stopPropagation()}>
          <label>
            Opacity
            <input
              type="range"
              min={0}
              max={100}
              value={Math.round(layer.opacity * 100)}
              aria-label={`Opacity of ${layer.name}`}
              onChange={(e) => s.previewLayer(layer.id, { opacity: Number(e.target.value) / 100 })}
              onPointerUp={() => s.commitPreview()}
              onKeyUp={() => s.commitPreview()}
              onBlur={() => s.commitPreview()}
            />
            <span className="texture-num">{Math.round(layer.opacity * 100)}%</span>
          </label>
          <label>
            Blend
            <select className="input" value={layer.blend} aria-label={`Blend mode of ${layer.name}`} onChange={(e) => s.updateLayer(layer.id, { blend: e.target.value as BlendMode })}>
              {BLEND_MODES.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          {layer.kind === 'fill' && (
            <label>
              Colour
              <input type="color" value={rgbToHex(layer.colour)} aria-label={`Colour of ${layer.name}`} onChange={(e) => s.previewLayer(layer.id, { colour: hexRgb(e.target.value) })} onBlur={() => s.commitPreview()} />
            </label>
          )}
          <div className="texture-layer-actions">
            <Button size="sm" variant="ghost" onClick={() => setRenaming(true)}>
              Rename
            </Button>
            <Button size="sm" variant="danger" icon="trash" onClick={() => s.deleteLayer(layer.id)}>
              Delete
            </Button>
          </div>
        </div>
      )}
    </li>
  );
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The layers, top layer first (as in painting programs); drag a row onto another to reorder. */
export function LayersPanel({ onImportSticker, disabled }: { onImportSticker: () => void; disabled: string | null }) {
  const layers = useTextureDocument((s) => s.layers);
  const activeLayerId = useTextureDocument((s) => s.activeLayerId);
  const s = useTextureDocument.getState();
  const n = layers.length;
  return (
    <aside className="texture-layers" aria-label="Layers">
      <div className="texture-panel-title">
        <h2>Layers</h2>
        <div className="texture-layers-add">
          <Button size="sm" icon="plus" disabledReason={disabled} onClick={() => s.addPaintLayer()} title="Add a paint layer">
            Paint
          </Button>
          <Button size="sm" icon="plus" disabledReason={disabled} onClick={() => s.addFillLayer()} title="Add a fill layer in the current colour">
            Fill
          </Button>
          <Button size="sm" icon="upload" disabledReason={disabled} onClick={onImportSticker} title="Import a PNG, JPEG or SVG as a sticker (or drop it on the canvas)">
            Sticker
          </Button>
        </div>
      </div>
      {n === 0 ? (
        <p className="muted texture-layers-empty">No layers yet. Paint on the map (a paint layer is added), or add a sticker.</p>
      ) : (
        <ol className="texture-layer-list" data-testid="texture-layers">
          {[...layers].reverse().map((layer, k) => (
            <LayerRow key={layer.id} layer={layer} index={n - 1 - k} selected={layer.id === activeLayerId} onDragIndex={(from, to) => s.moveLayer(from, to)} />
          ))}
        </ol>
      )}
      <p className="muted texture-layers-base">Base: baked colour map (never changed)</p>
    </aside>
  );
}
