// Every fault kind a drill file may name: importing a kind's file registers it
// (registry.ts), so this file only imports them. Adding a kind = one file in this folder
// (start from toxic.ts) and its import here. The import order is the order
// `faults[0].type must be one of ...` lists the kinds in. Import the registry's functions
// from here, not from registry.ts, so every kind is registered before they are called.
import './toxic.ts';
import './proxy-down.ts';
import './process.ts';
import './gateway-knobs.ts';
import './poison-messages.ts';
import './redis-master-crash.ts';
import './service-settings.ts';

export { blastRadius, describeFault, faultKind, faultTypes, readFaultSpec, unsupportedOn, type FaultSpec, type FaultType } from './registry.ts';
