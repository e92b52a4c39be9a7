export { exportModel, type EncoderOutput, type ExportedPart, type ExportOptions, type ExportResult } from './export-model.js';
export type { DecoderOutput } from './decoder-head.js';
export { ExportError } from './export-error.js';
export { partUrl, type ExportPart, type ExportTarget } from './export-target.js';
export { hasExportableNetworks, type EncoderOutputLayout, type ExportableNetworks, type ModelWithExport } from './exportable.js';
