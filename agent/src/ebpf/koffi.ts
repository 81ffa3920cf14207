// koffi's type declarations are published as an ES module; its CommonJS entry is the same API.
const koffi: typeof import('koffi', { with: { 'resolution-mode': 'import' } }) = require('koffi');
export default koffi;
