export { Vae, createVae } from './vae.js';
export { VAE_DEFAULTS, resolveVaeConfig, type VaeConfig } from './vae-config.js';
export { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';
