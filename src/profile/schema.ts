/**
 * JSON Schema of the OCI `linux.seccomp` object, written from the
 * runtime-spec schema (config-linux.json + defs-linux.json): the same
 * fields, actions, operators, flags and architectures, but closed
 * (additionalProperties: false). A moby-format profile (archMap, includes,
 * excludes, comment) therefore fails: containerd and the kubelet would drop
 * those keys silently and apply conditional rules unconditionally.
 */
import { ACTIONS, FLAGS, OPERATORS } from './types.js';
import { ARCHES } from '../arch.js';

const uint32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
const uint64 = { type: 'integer', minimum: 0, maximum: 18446744073709551615 } as const;

export const SECCOMP_SCHEMA = {
  $id: 'https://syscribe.dev/schema/oci-seccomp.json',
  type: 'object',
  additionalProperties: false,
  required: ['defaultAction'],
  properties: {
    defaultAction: { enum: [...ACTIONS] },
    defaultErrnoRet: uint32,
    flags: { type: 'array', items: { enum: [...FLAGS] }, uniqueItems: true },
    listenerPath: { type: 'string' },
    listenerMetadata: { type: 'string' },
    architectures: { type: 'array', items: { enum: ARCHES.map((a) => a.scmp) }, uniqueItems: true },
    syscalls: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['names', 'action'],
        properties: {
          names: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          action: { enum: [...ACTIONS] },
          errnoRet: uint32,
          args: {
            type: 'array',
            maxItems: 6,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['index', 'value', 'op'],
              properties: {
                index: { type: 'integer', minimum: 0, maximum: 5 },
                value: uint64,
                valueTwo: uint64,
                op: { enum: [...OPERATORS] },
              },
            },
          },
        },
      },
    },
  },
} as const;
