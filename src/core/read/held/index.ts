/** What processes hold: sockets, devices, descriptors (design.md section 7), and the `--port`/`--holds` selectors. */
export { readHeld, portsText, unreadableNote, type Held } from './held.js';
export { findHolders, parsePortSpec, portLabel, type HeldSelector, type HolderIndex, type PortSpec, type ResourceHolders } from './select.js';
export { parseHexAddress, parseIpTable, parseUnixTable, socketState, type HeldSocket, type SocketProto, type SocketState } from './net.js';
export { devicesOf, readFdLinks, type FdLinks } from './fds.js';
