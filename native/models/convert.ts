/**
 * TF.js graph model → ONNX (opset 13).
 *
 * Layout: TF graphs are NHWC, ONNX convolution/pooling/resize are NCHW. Every 4-D activation is kept in NCHW inside
 * the ONNX graph once a spatial op has touched it; a value remembers its layout and is transposed back to NHWC only
 * where an op needs TF's axis order (Reshape, Squeeze, MatMul, Softmax, reductions, graph outputs…). Constants that
 * meet an NCHW activation (biases, PReLU slopes, elementwise operands, paddings) are rearranged at conversion time,
 * so no Transpose is spent on them. Graph inputs and outputs keep the TF.js names, shapes and NHWC layout, so a
 * caller feeds the ONNX model exactly what it fed the TF.js model.
 *
 * Shapes are inferred statically (TF shapes, NHWC) with -1 for a dynamic batch; SAME padding is turned into explicit
 * pads from them, as TF computes it (the odd pixel at the end).
 */
import {
  attrBool,
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  attrStrings,
  type TfConst,
  type TfGraph,
  type TfNode,
} from './tfjs-graph';
import {
  attrFloat as oFloat,
  attrInt as oInt,
  attrInts as oInts,
  attrString as oString,
  floatTensor,
  int64Tensor,
  TensorType,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnx-proto';

export const OPSET = 13;
export const CONVERTER_VERSION = '1';

type Layout = 'tf' | 'nchw';

interface Val {
  /** ONNX value name (runtime values) */
  name: string;
  /** TF (NHWC) logical shape; -1 = unknown/dynamic */
  shape: number[];
  layout: Layout;
  /** present for constants: their data (TF layout) */
  konst?: TfConst;
}

export interface ConvertOptions {
  name?: string;
  /** doc string for the model (e.g. source and licence) */
  doc?: string;
  metadata?: Record<string, string>;
}

export interface ConvertedModel {
  bytes?: Uint8Array;
  model: OnnxModel;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  /** TF op → count, for reports */
  ops: Record<string, number>;
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
/** NHWC axis → NCHW axis */
const AXIS_TO_NCHW = [0, 2, 3, 1];

export class UnsupportedOpError extends Error {}

const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);

/** Transposes row-major `data` of `shape` by `perm`. */
export function transposeData<T extends Float32Array | Int32Array>(data: T, shape: number[], perm: number[]): { data: T; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(rank).fill(0);
  const permStrides = perm.map((p) => inStrides[p]!);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * permStrides[d]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return { data: out, shape: outShape };
}

function broadcastShapes(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x === -1 || y === -1 ? Math.max(x, y) : x);
  }
  return out;
}

function samePads(inSize: number, k: number, stride: number, dilation: number): [number, number, number] {
  const out = Math.ceil(inSize / stride);
  const eff = (k - 1) * dilation + 1;
  const total = Math.max((out - 1) * stride + eff - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

export function convertTfGraph(graph: TfGraph, options: ConvertOptions = {}): ConvertedModel {
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const vals = new Map<string, Val>();
  const transposed = new Map<string, Val>();
  const used = new Set<string>();
  const ops: Record<string, number> = {};
  const graphInputs: { name: string; shape: number[] }[] = [];
  let counter = 0;
  const fresh = (base: string) => {
    let n: string;
    do n = `${base}__${counter++}`;
    while (used.has(n));
    used.add(n);
    return n;
  };
  const emit = (opType: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name?: string) => {
    nodes.push({ name: name ?? fresh(opType), opType, input, output, attribute });
  };
  const addInit = (t: OnnxTensor) => {
    initializers.push(t);
    return t.name;
  };
  const floatConst = (base: string, dims: number[], data: ArrayLike<number>) => addInit(floatTensor(fresh(base), dims, data));
  const i64Const = (base: string, data: number[]) => addInit(int64Tensor(fresh(base), [data.length], data));

  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.input ?? []) if (!i.startsWith('^')) consumers.set(ref(i).node, (consumers.get(ref(i).node) ?? 0) + 1);

  function ref(input: string): { node: string; index: number } {
    const m = /^(.*?)(?::(\d+))?$/.exec(input)!;
    return { node: m[1]!, index: m[2] ? Number(m[2]) : 0 };
  }

  const get = (input: string): Val => {
    const r = ref(input);
    const v = vals.get(r.index ? `${r.node}:${r.index}` : r.node);
    if (!v) throw new Error(`input ${input} is not defined before use`);
    return v;
  };
  const constOf = (input: string, what: string): TfConst => {
    const v = get(input);
    if (!v.konst) throw new UnsupportedOpError(`${what} must be a constant (got runtime value ${input})`);
    return v.konst;
  };

  /** A runtime ONNX name for a value in TF layout. */
  const asTf = (v: Val): Val => {
    if (v.konst && !v.name) {
      const c = v.konst;
      const name = c.dtype === 'float32' ? floatConst('const', c.shape, c.data) : i64Const('const', Array.from(c.data));
      return { ...v, name };
    }
    if (v.layout === 'tf') return v;
    const key = `tf:${v.name}`;
    let t = transposed.get(key);
    if (!t) {
      const out = fresh(`${v.name}_nhwc`);
      emit('Transpose', [v.name], [out], [oInts('perm', TO_NHWC)]);
      t = { name: out, shape: v.shape, layout: 'tf' };
      transposed.set(key, t);
    }
    return t;
  };
  const asNchw = (v: Val, what: string): Val => {
    if (v.shape.length !== 4) throw new UnsupportedOpError(`${what}: expected a 4-D tensor, got shape [${v.shape}]`);
    if (v.konst) {
      const t = transposeData(v.konst.data as Float32Array, v.konst.shape, TO_NCHW);
      return { name: floatConst('const_nchw', t.shape, t.data), shape: v.shape, layout: 'nchw' };
    }
    if (v.layout === 'nchw') return v;
    const key = `nchw:${v.name}`;
    let t = transposed.get(key);
    if (!t) {
      const out = fresh(`${v.name}_nchw`);
      emit('Transpose', [v.name], [out], [oInts('perm', TO_NCHW)]);
      t = { name: out, shape: v.shape, layout: 'nchw' };
      transposed.set(key, t);
    }
    return t;
  };
  /** A constant operand broadcast against a 4-D NCHW activation: right-align to rank 4, then NHWC→NCHW. */
  const constForNchw = (c: TfConst): string => {
    if (c.shape.length > 4) throw new UnsupportedOpError(`constant of rank ${c.shape.length} against a 4-D activation`);
    const shape4 = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
    const t = transposeData(Float32Array.from(c.data), shape4, TO_NCHW);
    return floatConst('const_nchw', t.shape, t.data);
  };

  const set = (tfName: string, v: Val) => vals.set(tfName, v);
  // outputs: the signature's, else the nodes nobody consumes (as TF.js does). Their ONNX names are the TF node
  // names, in NHWC; the ops that make them write to a private name, and the end of the graph renames/transposes.
  const sigOut = graph.signature?.outputs ? Object.values(graph.signature.outputs).map((o) => o.name.replace(/:0$/, '')) : [];
  const outputNames =
    sigOut.length && sigOut.every((o) => byName.has(o))
      ? sigOut
      : graph.nodes.filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && !consumers.has(n.name)).map((n) => n.name);
  for (const o of outputNames) used.add(o);
  const outName = (n: TfNode) => {
    if (outputNames.includes(n.name)) return fresh(`${n.name}__value`);
    const nm = n.name;
    used.add(nm);
    return nm;
  };

  // --- activations fused into conv/matmul, and standalone ---
  function activation(kind: string, x: string, out: string, n: TfNode, alpha: () => string) {
    switch (kind) {
      case 'Relu':
        return emit('Relu', [x], [out]);
      case 'Relu6':
        return emit('Clip', [x, floatConst('zero', [], [0]), floatConst('six', [], [6])], [out]);
      case 'Prelu':
        return emit('PRelu', [x, alpha()], [out]);
      case 'Elu':
        return emit('Elu', [x], [out]);
      case 'LeakyRelu':
        return emit('LeakyRelu', [x], [out], [oFloat('alpha', attrFloat(n.attr?.leakyrelu_alpha, 0.2))]);
      case 'Sigmoid':
        return emit('Sigmoid', [x], [out]);
      case 'Tanh':
        return emit('Tanh', [x], [out]);
      default:
        throw new UnsupportedOpError(`${n.name}: fused activation ${kind} not supported`);
    }
  }

  function conv(n: TfNode, depthwise: boolean) {
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const x = asNchw(get(inputs[0]!), n.name);
    const w = constOf(inputs[1]!, `${n.name} filter`);
    const fmt = attrString(n.attr?.data_format) ?? 'NHWC';
    if (fmt !== 'NHWC') throw new UnsupportedOpError(`${n.name}: data_format ${fmt}`);
    const strides = attrInts(n.attr?.strides);
    const dil = attrInts(n.attr?.dilations);
    const sh = strides.length ? [strides[1]!, strides[2]!] : [1, 1];
    const dl = dil.length ? [dil[1]!, dil[2]!] : [1, 1];
    const [kh, kw, cin, cm] = w.shape as [number, number, number, number];
    const [N, H, W] = get(inputs[0]!).shape as [number, number, number, number];
    const padding = attrString(n.attr?.padding) ?? 'VALID';
    let pads: number[];
    let oh: number;
    let ow: number;
    if (padding === 'SAME') {
      const [t, b, o1] = samePads(H, kh, sh[0]!, dl[0]!);
      const [l, r, o2] = samePads(W, kw, sh[1]!, dl[1]!);
      pads = [t, l, b, r];
      oh = o1;
      ow = o2;
    } else if (padding === 'VALID') {
      pads = [0, 0, 0, 0];
      oh = Math.floor((H - ((kh - 1) * dl[0]! + 1)) / sh[0]!) + 1;
      ow = Math.floor((W - ((kw - 1) * dl[1]! + 1)) / sh[1]!) + 1;
    } else if (padding === 'EXPLICIT') {
      const e = attrInts(n.attr?.explicit_paddings);
      pads = [e[2]!, e[4]!, e[3]!, e[5]!];
      oh = Math.floor((H + e[2]! + e[3]! - ((kh - 1) * dl[0]! + 1)) / sh[0]!) + 1;
      ow = Math.floor((W + e[4]! + e[5]! - ((kw - 1) * dl[1]! + 1)) / sh[1]!) + 1;
    } else throw new UnsupportedOpError(`${n.name}: padding ${padding}`);
    let weight: string;
    let cout: number;
    let group = 1;
    if (depthwise) {
      // [kh, kw, C, M] → [C*M, 1, kh, kw]; output channel c*M+m reads input channel c (group = C)
      cout = cin * cm;
      const t = transposeData(w.data as Float32Array, [kh, kw, cin * cm], [2, 0, 1]);
      weight = floatConst(`${n.name}_w`, [cout, 1, kh, kw], t.data);
      group = cin;
    } else {
      // HWIO → OIHW
      cout = cm;
      const t = transposeData(w.data as Float32Array, [kh, kw, cin, cm], [3, 2, 0, 1]);
      weight = floatConst(`${n.name}_w`, t.shape, t.data);
    }
    const convInputs = [x.name, weight];
    const fused = attrStrings(n.attr?.fused_ops);
    let f = 0;
    if (fused[0] === 'BiasAdd') {
      const b = constOf(inputs[2]!, `${n.name} bias`);
      convInputs.push(floatConst(`${n.name}_b`, [cout], b.data));
      f = 1;
    } else if (fused.length && fused[0] !== 'BiasAdd') {
      throw new UnsupportedOpError(`${n.name}: fused_ops [${fused}] not supported`);
    }
    const out = outName(n);
    const act = fused.slice(f);
    if (act.length > 1) throw new UnsupportedOpError(`${n.name}: fused_ops [${fused}] not supported`);
    const attrs = [oInts('kernel_shape', [kh, kw]), oInts('strides', sh), oInts('dilations', dl), oInts('pads', pads), oInt('group', group)];
    const shape = [N, oh, ow, cout];
    if (act.length) {
      const tmp = fresh(`${n.name}_conv`);
      emit('Conv', convInputs, [tmp], attrs);
      activation(act[0]!, tmp, out, n, () => {
        const a = constOf(inputs[3]!, `${n.name} prelu alpha`);
        return constForNchw(a);
      });
    } else emit('Conv', convInputs, [out], attrs, n.name);
    set(n.name, { name: out, shape, layout: 'nchw' });
  }

  function pool(n: TfNode, type: 'MaxPool' | 'AveragePool') {
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const v = get(inputs[0]!);
    const x = asNchw(v, n.name);
    const k = attrInts(n.attr?.ksize);
    const s = attrInts(n.attr?.strides);
    const [N, H, W, C] = v.shape as [number, number, number, number];
    const padding = attrString(n.attr?.padding) ?? 'VALID';
    let pads = [0, 0, 0, 0];
    let oh: number;
    let ow: number;
    if (padding === 'SAME') {
      const [t, b, o1] = samePads(H, k[1]!, s[1]!, 1);
      const [l, r, o2] = samePads(W, k[2]!, s[2]!, 1);
      pads = [t, l, b, r];
      oh = o1;
      ow = o2;
    } else {
      oh = Math.floor((H - k[1]!) / s[1]!) + 1;
      ow = Math.floor((W - k[2]!) / s[2]!) + 1;
    }
    const attrs = [oInts('kernel_shape', [k[1]!, k[2]!]), oInts('strides', [s[1]!, s[2]!]), oInts('pads', pads)];
    // TF's SAME average excludes the padding from the count: count_include_pad = 0 (the ONNX default)
    const out = outName(n);
    emit(type, [x.name], [out], attrs, n.name);
    set(n.name, { name: out, shape: [N, oh, ow, C], layout: 'nchw' });
  }

  const onnxBinary: Record<string, string> = { Add: 'Add', AddV2: 'Add', BiasAdd: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Div: 'Div', Maximum: 'Max', Minimum: 'Min', Pow: 'Pow' };
  const onnxUnary: Record<string, string> = { Relu: 'Relu', Sigmoid: 'Sigmoid', Tanh: 'Tanh', Elu: 'Elu', Exp: 'Exp', Log: 'Log', Sqrt: 'Sqrt', Neg: 'Neg', Abs: 'Abs', Softplus: 'Softplus', Floor: 'Floor', Ceil: 'Ceil', Reciprocal: 'Reciprocal' };

  /** elementwise n-ary: chooses the layout (NCHW if any runtime 4-D operand is NCHW) and adapts the others */
  function elementwise(n: TfNode, opType: string, operands: string[]) {
    const vs = operands.map(get);
    const nchw = vs.some((v) => !v.konst && v.layout === 'nchw' && v.shape.length === 4);
    let shape = vs[0]!.shape;
    for (const v of vs.slice(1)) shape = broadcastShapes(shape, v.shape);
    const names = vs.map((v) => {
      if (!nchw) return asTf(v).name;
      if (v.konst) return constForNchw(v.konst);
      if (v.shape.length === 4) return asNchw(v, n.name).name;
      if (prod(v.shape) === 1) return asTf(v).name; // a runtime scalar broadcasts the same either way
      throw new UnsupportedOpError(`${n.name}: runtime operand of shape [${v.shape}] against an NCHW activation`);
    });
    const out = outName(n);
    emit(opType, names, [out], [], n.name);
    set(n.name, { name: out, shape, layout: nchw ? 'nchw' : 'tf' });
  }

  for (const n of graph.nodes) {
    ops[n.op] = (ops[n.op] ?? 0) + 1;
    const inputs = (n.input ?? []).filter((i) => !i.startsWith('^'));
    switch (n.op) {
      case 'Placeholder': {
        const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
        const dtype = n.attr?.dtype?.type ?? 'DT_FLOAT';
        if (dtype !== 'DT_FLOAT') throw new UnsupportedOpError(`${n.name}: input dtype ${dtype}`);
        used.add(n.name);
        graphInputs.push({ name: n.name, shape: dims });
        set(n.name, { name: n.name, shape: dims, layout: 'tf' });
        break;
      }
      case 'Const': {
        const c = graph.weights.get(n.name);
        if (!c) throw new Error(`${n.name}: constant has no weights`);
        set(n.name, { name: '', shape: c.shape, layout: 'tf', konst: c });
        break;
      }
      case 'Identity':
      case 'StopGradient':
      case 'Snapshot':
        set(n.name, get(inputs[0]!));
        break;
      case 'Conv2D':
      case '_FusedConv2D':
        conv(n, false);
        break;
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        conv(n, true);
        break;
      case 'MaxPool':
        pool(n, 'MaxPool');
        break;
      case 'AvgPool':
        pool(n, 'AveragePool');
        break;
      case 'AddN':
        elementwise(n, 'Sum', inputs);
        break;
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Div':
      case 'Maximum':
      case 'Minimum':
      case 'Pow':
        elementwise(n, onnxBinary[n.op]!, inputs);
        break;
      case 'BiasAdd':
        elementwise(n, 'Add', inputs);
        break;
      case 'Prelu': {
        const x = get(inputs[0]!);
        const a = constOf(inputs[1]!, `${n.name} alpha`);
        const out = outName(n);
        if (x.layout === 'nchw') emit('PRelu', [x.name, constForNchw(a)], [out], [], n.name);
        else emit('PRelu', [x.name, floatConst('alpha', a.shape, a.data)], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape, layout: x.layout });
        break;
      }
      case 'Relu6':
      case 'LeakyRelu': {
        const x = get(inputs[0]!);
        const xr = x.layout === 'nchw' ? x : asTf(x);
        const out = outName(n);
        activation(n.op, xr.name, out, n, () => '');
        set(n.name, { name: out, shape: x.shape, layout: xr.layout });
        break;
      }
      case 'Rsqrt': {
        const x = get(inputs[0]!);
        const xr = x.layout === 'nchw' ? x : asTf(x);
        const tmp = fresh(`${n.name}_sqrt`);
        emit('Sqrt', [xr.name], [tmp]);
        const out = outName(n);
        emit('Reciprocal', [tmp], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape, layout: xr.layout });
        break;
      }
      case 'Square': {
        const x = get(inputs[0]!);
        const xr = x.layout === 'nchw' ? x : asTf(x);
        const out = outName(n);
        emit('Mul', [xr.name, xr.name], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape, layout: xr.layout });
        break;
      }
      case 'Pad':
      case 'PadV2':
      case 'MirrorPad': {
        const x = get(inputs[0]!);
        const p = Array.from(constOf(inputs[1]!, `${n.name} paddings`).data);
        const r = x.shape.length;
        let begins = Array.from({ length: r }, (_, i) => p[2 * i]!);
        let ends = Array.from({ length: r }, (_, i) => p[2 * i + 1]!);
        const xr = x.layout === 'nchw' ? x : asTf(x);
        if (xr.layout === 'nchw') {
          begins = TO_NCHW.map((a) => begins[a]!);
          ends = TO_NCHW.map((a) => ends[a]!);
        }
        const padInputs = [xr.name, i64Const(`${n.name}_pads`, [...begins, ...ends])];
        const attrs: OnnxAttribute[] = [];
        if (n.op === 'PadV2') padInputs.push(asTf(get(inputs[2]!)).name);
        if (n.op === 'MirrorPad') {
          const mode = attrString(n.attr?.mode);
          if (mode !== 'REFLECT') throw new UnsupportedOpError(`${n.name}: MirrorPad mode ${mode} (ONNX has REFLECT only)`);
          attrs.push(oString('mode', 'reflect'));
        }
        const out = outName(n);
        emit('Pad', padInputs, [out], attrs, n.name);
        set(n.name, { name: out, shape: x.shape.map((d, i) => (d < 0 ? d : d + p[2 * i]! + p[2 * i + 1]!)), layout: xr.layout });
        break;
      }
      case 'Reshape': {
        const x = asTf(get(inputs[0]!));
        const target = Array.from(constOf(inputs[1]!, `${n.name} shape`).data);
        const total = prod(x.shape);
        const known = prod(target.filter((d) => d !== -1));
        const shape = target.map((d) => (d === -1 ? (total > 0 ? total / known : -1) : d));
        const out = outName(n);
        emit('Reshape', [x.name, i64Const(`${n.name}_shape`, target)], [out], [], n.name);
        set(n.name, { name: out, shape, layout: 'tf' });
        break;
      }
      case 'Squeeze': {
        const x = asTf(get(inputs[0]!));
        let axes = attrInts(n.attr?.squeeze_dims).map((a) => (a < 0 ? a + x.shape.length : a));
        if (!axes.length) axes = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        const out = outName(n);
        emit('Squeeze', [x.name, i64Const(`${n.name}_axes`, axes)], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape.filter((_, i) => !axes.includes(i)), layout: 'tf' });
        break;
      }
      case 'ExpandDims': {
        const x = asTf(get(inputs[0]!));
        let axis = constOf(inputs[1]!, `${n.name} axis`).data[0]!;
        if (axis < 0) axis += x.shape.length + 1;
        const out = outName(n);
        emit('Unsqueeze', [x.name, i64Const(`${n.name}_axes`, [axis])], [out], [], n.name);
        const shape = x.shape.slice();
        shape.splice(axis, 0, 1);
        set(n.name, { name: out, shape, layout: 'tf' });
        break;
      }
      case 'ConcatV2':
      case 'Concat': {
        const axisInput = n.op === 'ConcatV2' ? inputs[inputs.length - 1]! : inputs[0]!;
        const parts = n.op === 'ConcatV2' ? inputs.slice(0, -1) : inputs.slice(1);
        const vs = parts.map(get);
        const rank = vs[0]!.shape.length;
        let axis = constOf(axisInput, `${n.name} axis`).data[0]!;
        if (axis < 0) axis += rank;
        const nchw = rank === 4 && vs.some((v) => !v.konst && v.layout === 'nchw');
        const names = vs.map((v) => (nchw ? asNchw(v, n.name).name : asTf(v).name));
        const shape = vs[0]!.shape.slice();
        shape[axis] = vs.reduce((a, v) => (a < 0 || v.shape[axis]! < 0 ? -1 : a + v.shape[axis]!), 0);
        const out = outName(n);
        emit('Concat', names, [out], [oInt('axis', nchw ? AXIS_TO_NCHW[axis]! : axis)], n.name);
        set(n.name, { name: out, shape, layout: nchw ? 'nchw' : 'tf' });
        break;
      }
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor': {
        const v = get(inputs[0]!);
        const x = asNchw(v, n.name);
        const [h, w] = Array.from(constOf(inputs[1]!, `${n.name} size`).data);
        const [N, H, W, C] = v.shape as [number, number, number, number];
        const alignCorners = attrBool(n.attr?.align_corners);
        const halfPixel = attrBool(n.attr?.half_pixel_centers);
        const bilinear = n.op === 'ResizeBilinear';
        const attrs = [
          oString('mode', bilinear ? 'linear' : 'nearest'),
          oString('coordinate_transformation_mode', alignCorners ? 'align_corners' : halfPixel ? (bilinear ? 'half_pixel' : 'tf_half_pixel_for_nn') : 'asymmetric'),
        ];
        if (!bilinear) attrs.push(oString('nearest_mode', alignCorners ? 'round_prefer_ceil' : 'floor'));
        const out = outName(n);
        emit('Resize', [x.name, '', floatConst(`${n.name}_scales`, [4], [1, 1, h! / H, w! / W])], [out], attrs, n.name);
        set(n.name, { name: out, shape: [N, h!, w!, C], layout: 'nchw' });
        break;
      }
      case 'Conv2DBackpropInput': {
        const sizes = Array.from(constOf(inputs[0]!, `${n.name} input_sizes`).data);
        const w = constOf(inputs[1]!, `${n.name} filter`);
        const v = get(inputs[2]!);
        const x = asNchw(v, n.name);
        const strides = attrInts(n.attr?.strides);
        const dil = attrInts(n.attr?.dilations);
        const sh = [strides[1] ?? 1, strides[2] ?? 1];
        const dl = dil.length ? [dil[1]!, dil[2]!] : [1, 1];
        const [kh, kw, cout, cin] = w.shape as [number, number, number, number];
        const [, I1, I2] = v.shape as [number, number, number, number];
        const O = [sizes[1]!, sizes[2]!];
        const padding = attrString(n.attr?.padding) ?? 'VALID';
        const pads = [0, 0, 0, 0];
        const outPad = [0, 0];
        const ins = [I1, I2];
        const ks = [kh, kw];
        for (let d = 0; d < 2; d++) {
          const eff = (ks[d]! - 1) * dl[d]! + 1;
          let before = 0;
          let after = 0;
          if (padding === 'SAME') {
            const total = Math.max((ins[d]! - 1) * sh[d]! + eff - O[d]!, 0);
            before = Math.floor(total / 2);
            after = total - before;
          } else if (padding !== 'VALID') throw new UnsupportedOpError(`${n.name}: padding ${padding}`);
          const natural = sh[d]! * (ins[d]! - 1) + eff - before - after;
          const op = O[d]! - natural;
          if (op < 0) {
            // TF crops the end: take it out of the end padding
            after -= op;
          } else outPad[d] = op;
          pads[d] = before;
          pads[d + 2] = after;
        }
        const t = transposeData(w.data as Float32Array, [kh, kw, cout, cin], [3, 2, 0, 1]);
        const out = outName(n);
        emit('ConvTranspose', [x.name, floatConst(`${n.name}_w`, t.shape, t.data)], [out], [oInts('kernel_shape', [kh, kw]), oInts('strides', sh), oInts('dilations', dl), oInts('pads', pads), oInts('output_padding', outPad)], n.name);
        set(n.name, { name: out, shape: [v.shape[0]!, O[0]!, O[1]!, cout], layout: 'nchw' });
        break;
      }
      case 'MatMul':
      case '_FusedMatMul': {
        const a = asTf(get(inputs[0]!));
        const bv = get(inputs[1]!);
        if (a.shape.length !== 2 || bv.shape.length !== 2) throw new UnsupportedOpError(`${n.name}: MatMul of rank ${a.shape.length}×${bv.shape.length} (2-D only)`);
        const ta = attrBool(n.attr?.transpose_a);
        const tb = attrBool(n.attr?.transpose_b);
        const b = asTf(bv);
        const fused = attrStrings(n.attr?.fused_ops);
        const gemmInputs = [a.name, b.name];
        const cols = tb ? bv.shape[0]! : bv.shape[1]!;
        let f = 0;
        if (fused[0] === 'BiasAdd') {
          gemmInputs.push(asTf(get(inputs[2]!)).name);
          f = 1;
        }
        const act = fused.slice(f);
        const out = outName(n);
        const attrs = [oInt('transA', ta ? 1 : 0), oInt('transB', tb ? 1 : 0)];
        if (act.length) {
          const tmp = fresh(`${n.name}_gemm`);
          emit('Gemm', gemmInputs, [tmp], attrs);
          activation(act[0]!, tmp, out, n, () => asTf(get(inputs[3]!)).name);
        } else emit('Gemm', gemmInputs, [out], attrs, n.name);
        set(n.name, { name: out, shape: [ta ? a.shape[1]! : a.shape[0]!, cols], layout: 'tf' });
        break;
      }
      case 'Transpose': {
        const x = asTf(get(inputs[0]!));
        const perm = Array.from(constOf(inputs[1]!, `${n.name} perm`).data);
        const out = outName(n);
        emit('Transpose', [x.name], [out], [oInts('perm', perm)], n.name);
        set(n.name, { name: out, shape: perm.map((p) => x.shape[p]!), layout: 'tf' });
        break;
      }
      case 'Mean':
      case 'Sum':
      case 'Max':
      case 'Min':
      case 'Prod': {
        const x = asTf(get(inputs[0]!));
        const axes = Array.from(constOf(inputs[1]!, `${n.name} axes`).data).map((a) => (a < 0 ? a + x.shape.length : a));
        const keep = attrBool(n.attr?.keep_dims);
        const opType = { Mean: 'ReduceMean', Sum: 'ReduceSum', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' }[n.op]!;
        const out = outName(n);
        if (opType === 'ReduceSum') emit(opType, [x.name, i64Const(`${n.name}_axes`, axes)], [out], [oInt('keepdims', keep ? 1 : 0)], n.name);
        else emit(opType, [x.name], [out], [oInts('axes', axes), oInt('keepdims', keep ? 1 : 0)], n.name);
        const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
        set(n.name, { name: out, shape, layout: 'tf' });
        break;
      }
      case 'Softmax': {
        const x = asTf(get(inputs[0]!));
        const out = outName(n);
        emit('Softmax', [x.name], [out], [oInt('axis', -1)], n.name);
        set(n.name, { name: out, shape: x.shape, layout: 'tf' });
        break;
      }
      case 'Slice': {
        const x = asTf(get(inputs[0]!));
        const begin = Array.from(constOf(inputs[1]!, `${n.name} begin`).data);
        const size = Array.from(constOf(inputs[2]!, `${n.name} size`).data);
        const ends = begin.map((b, i) => (size[i] === -1 ? 2 ** 31 - 1 : b + size[i]!));
        const axes = begin.map((_, i) => i);
        const out = outName(n);
        emit('Slice', [x.name, i64Const(`${n.name}_starts`, begin), i64Const(`${n.name}_ends`, ends), i64Const(`${n.name}_axes`, axes)], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape.map((d, i) => (size[i] === -1 ? (d < 0 ? -1 : d - begin[i]!) : size[i]!)), layout: 'tf' });
        break;
      }
      case 'StridedSlice': {
        const x = asTf(get(inputs[0]!));
        const begin = Array.from(constOf(inputs[1]!, `${n.name} begin`).data);
        const end = Array.from(constOf(inputs[2]!, `${n.name} end`).data);
        const strides = Array.from(constOf(inputs[3]!, `${n.name} strides`).data);
        const bm = attrInt(n.attr?.begin_mask);
        const em = attrInt(n.attr?.end_mask);
        const sm = attrInt(n.attr?.shrink_axis_mask);
        if (attrInt(n.attr?.ellipsis_mask) || attrInt(n.attr?.new_axis_mask)) throw new UnsupportedOpError(`${n.name}: StridedSlice with ellipsis/new-axis masks`);
        const starts: number[] = [];
        const ends: number[] = [];
        const shape: number[] = [];
        const shrink: number[] = [];
        for (let i = 0; i < begin.length; i++) {
          const st = strides[i]!;
          const big = st > 0 ? 2 ** 31 - 1 : -(2 ** 31);
          const s = bm & (1 << i) ? (st > 0 ? 0 : -1) : begin[i]!;
          let e = em & (1 << i) ? big : end[i]!;
          if (sm & (1 << i)) {
            e = s + 1 === 0 ? big : s + 1;
            shrink.push(i);
          }
          starts.push(s);
          ends.push(e);
          const d = x.shape[i]!;
          if (d < 0) shape.push(-1);
          else {
            const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
            const s0 = clamp(s < 0 ? s + d : s, st > 0 ? 0 : -1, st > 0 ? d : d - 1);
            const e0 = clamp(e < 0 && e > -(2 ** 31) ? e + d : e, st > 0 ? 0 : -1, st > 0 ? d : d - 1);
            shape.push(Math.max(0, Math.ceil((e0 - s0) / st)));
          }
        }
        for (let i = begin.length; i < x.shape.length; i++) shape.push(x.shape[i]!);
        const out = outName(n);
        const sliceOut = shrink.length ? fresh(`${n.name}_slice`) : out;
        emit('Slice', [x.name, i64Const(`${n.name}_starts`, starts), i64Const(`${n.name}_ends`, ends), i64Const(`${n.name}_axes`, starts.map((_, i) => i)), i64Const(`${n.name}_steps`, strides)], [sliceOut], [], shrink.length ? undefined : n.name);
        if (shrink.length) emit('Squeeze', [sliceOut, i64Const(`${n.name}_axes`, shrink)], [out], [], n.name);
        set(n.name, { name: out, shape: shape.filter((_, i) => !shrink.includes(i)), layout: 'tf' });
        break;
      }
      default: {
        const u = onnxUnary[n.op];
        if (!u) throw new UnsupportedOpError(`${n.name}: TF op ${n.op} is not supported by the converter`);
        const x = get(inputs[0]!);
        const xr = x.layout === 'nchw' ? x : asTf(x);
        const out = outName(n);
        emit(u, [xr.name], [out], [], n.name);
        set(n.name, { name: out, shape: x.shape, layout: xr.layout });
      }
    }
  }

  const outputs: OnnxValueInfo[] = [];
  const outInfo: { name: string; shape: number[] }[] = [];
  for (const o of outputNames) {
    const v = get(o);
    const t = asTf(v);
    if (t.name !== o) emit('Identity', [t.name], [o]);
    outputs.push(valueInfo(o, v.shape));
    outInfo.push({ name: o, shape: v.shape });
  }
  for (const gi of graphInputs) inputs.push(valueInfo(gi.name, gi.shape));

  const model: OnnxModel = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'avatar-studio tfjs2onnx',
    producerVersion: CONVERTER_VERSION,
    docString: options.doc ?? '',
    graph: { name: options.name ?? 'model', node: nodes, initializer: initializers, input: inputs, output: outputs },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  return { model, inputs: graphInputs.map((g) => ({ name: g.name, shape: g.shape })), outputs: outInfo, ops };
}

function valueInfo(name: string, shape: number[]): OnnxValueInfo {
  return {
    name,
    type: { tensorType: { elemType: TensorType.FLOAT, shape: { dim: shape.map((d, i) => (d >= 0 ? { dimValue: d } : { dimParam: i === 0 ? 'batch' : `d${i}` })) } } },
  };
}
