/**
 * The protocol's messages and services, parsed from the `.proto` files beside this one. The
 * files are bundled as text (esbuild's text loader; a jest transform in tests), so the
 * executable reads nothing from disk.
 */
import protobuf from 'protobufjs';

import goPluginProto from './goplugin.proto';
import healthProto from './health.proto';
import pluginV2Proto from './pluginv2.proto';

function parse(...texts: string[]): protobuf.Root {
  const root = new protobuf.Root();
  for (const text of texts) protobuf.parse(text, root, { keepCase: true });
  root.resolveAll();
  return root;
}

/** Every message and service this backend speaks, by full name (`pluginv2.DataQuery`, ...). */
export const PROTOCOL = parse(pluginV2Proto, goPluginProto, healthProto);
