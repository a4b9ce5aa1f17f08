/**
 * The JSON Schema of scenario files: the single source of truth. `scripts/bundle.js` writes it to
 * schemas/scenario.schema.json (used by VS Code's jsonValidation and by users' `$schema`), and a test checks
 * that the committed copy is current.
 */
import { networkDefinitions, networkSchema } from './scenarioNet';

/* eslint-disable */
export const scenarioSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://bpf-iter-lab.invalid/schemas/scenario.schema.json",
  "title": "bpf-iter-lab scenario",
  "description": "The simulated system an iterator program runs on: CPUs, the maps that exist besides the program's own, the map a bpf_map_elem program is attached to, and values for the program's globals.",
  "type": "object",
  "additionalProperties": false,
  "examples": [
    {
      "cpus": 2,
      "maps": [
        { "name": "counts", "type": "hash", "key_size": 4, "value_size": 8, "max_entries": 64, "entries": [ { "key": 1, "value": 42 } ] },
        { "name": "events", "type": "queue", "key_size": 0, "value_size": 4, "max_entries": 8, "entries": [ { "value": 1 }, { "value": 2 } ] },
        { "name": "per_cpu_tbl", "type": "array_of_maps", "key_size": 4, "value_size": 4, "max_entries": 2,
          "inner_map": { "type": "array", "key_size": 4, "value_size": 8, "max_entries": 16 },
          "entries": [ { "key": 0, "inner_map": "counts_cpu0" } ] },
        { "name": "counts_cpu0", "type": "array", "key_size": 4, "value_size": 8, "max_entries": 16 },
        { "name": "routes", "type": "lpm_trie", "key_size": 8, "value_size": 4, "max_entries": 16, "flags": ["BPF_F_NO_PREALLOC"],
          "entries": [ { "key": { "prefixlen": 24, "data": "0a 00 01 00" }, "value": 7 } ] }
      ],
      "attach": { "map": "counts" }
    }
  ],
  "properties": {
    "$schema": {
      "type": "string"
    },
    "description": {
      "type": "string",
      "description": "Free text for people reading the scenario."
    },
    "cpus": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1024,
      "default": 4,
      "description": "num_possible_cpus() of the simulated kernel: per-CPU maps hold one value slot of round_up(value_size, 8) bytes per CPU."
    },
    "cpu": {
      "type": "integer",
      "minimum": 0,
      "default": 0,
      "description": "The CPU the iterator runs on: what bpf_get_smp_processor_id() returns and which slot a program's per-CPU map update writes."
    },
    "hash_seed": {
      "type": "integer",
      "minimum": 0,
      "maximum": 4294967295,
      "default": 0,
      "description": "hashrnd of hash maps created without BPF_F_ZERO_SEED (random in the real kernel, fixed here so runs repeat). Maps with BPF_F_ZERO_SEED always use 0."
    },
    "read_size": {
      "type": "integer",
      "minimum": 1,
      "maximum": 1073741824,
      "default": 131072,
      "description": "Size of each read() on the iterator fd; cat uses 131072. The total output is the same for any size; errors and retries are not."
    },
    "maps": {
      "type": "array",
      "description": "Maps created before the program is loaded, in this order (so they get increasing map ids). A map named like one of the program's SEC(\".maps\") maps fills that map instead of creating another.",
      "items": {
        "$ref": "#/definitions/map"
      }
    },
    "attach": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "map": {
          "type": "string",
          "description": "Name of the map a bpf_map_elem program is attached to (link_create's map_fd)."
        }
      }
    },
    "network": networkSchema,
    "globals": {
      "type": "object",
      "description": "Initial values of the program's global variables (.bss, .data, .rodata), applied before load like a skeleton's writes. Numbers for integers, hex byte strings for anything else.",
      "additionalProperties": {
        "$ref": "#/definitions/bytesOrNumber"
      }
    }
  },
  "definitions": {
    ...networkDefinitions,
    "hexBytes": {
      "type": "string",
      "pattern": "^\\s*([0-9a-fA-F]{2}\\s*)*$",
      "description": "Bytes in hex, in memory order: \"01 00 00 00\" (whitespace optional)."
    },
    "bytesOrNumber": {
      "description": "Hex bytes in memory order, or for 1/2/4/8-byte keys and values a number stored little-endian (a decimal string is accepted for 64-bit values beyond 2^53).",
      "oneOf": [
        {
          "$ref": "#/definitions/hexBytes"
        },
        {
          "type": "integer"
        },
        {
          "type": "string",
          "pattern": "^-?[0-9]+$"
        }
      ]
    },
    "mapType": {
      "type": "string",
      "enum": [
        "hash",
        "array",
        "prog_array",
        "perf_event_array",
        "percpu_hash",
        "percpu_array",
        "stack_trace",
        "cgroup_array",
        "lru_hash",
        "lru_percpu_hash",
        "lpm_trie",
        "array_of_maps",
        "hash_of_maps",
        "devmap",
        "sockmap",
        "cpumap",
        "xskmap",
        "sockhash",
        "cgroup_storage",
        "reuseport_sockarray",
        "percpu_cgroup_storage",
        "queue",
        "stack",
        "sk_storage",
        "devmap_hash",
        "struct_ops",
        "ringbuf",
        "inode_storage",
        "task_storage",
        "bloom_filter",
        "user_ringbuf",
        "cgrp_storage",
        "arena"
      ],
      "description": "The kernel's enum bpf_map_type name in lower case, without BPF_MAP_TYPE_."
    },
    "lpmKey": {
      "type": "object",
      "additionalProperties": false,
      "required": ["prefixlen", "data"],
      "description": "An lpm_trie key (struct bpf_lpm_trie_key_u8): prefixlen in bits, then key_size - 4 data bytes in network order.",
      "properties": {
        "prefixlen": { "type": "integer", "minimum": 0, "maximum": 2048 },
        "data": { "$ref": "#/definitions/hexBytes" }
      },
      "examples": [ { "prefixlen": 24, "data": "c0 a8 01 00" } ]
    },
    "entry": {
      "type": "object",
      "additionalProperties": false,
      "description": "One element. Keyed maps need \"key\"; queue, stack and bloom_filter entries have only \"value\" (pushed in file order); array_of_maps / hash_of_maps entries name their inner map with \"inner_map\".",
      "examples": [ { "key": 1, "value": "2a 00 00 00" }, { "value": 5 }, { "key": 0, "inner_map": "inner0" }, { "key": 7, "values": [1, 2] } ],
      "properties": {
        "key": {
          "oneOf": [
            { "$ref": "#/definitions/bytesOrNumber" },
            { "$ref": "#/definitions/lpmKey" }
          ]
        },
        "value": {
          "$ref": "#/definitions/bytesOrNumber"
        },
        "values": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/bytesOrNumber"
          },
          "description": "Per-CPU maps: one value per CPU, CPU 0 first. Missing CPUs are zero."
        },
        "inner_map": {
          "type": "string",
          "description": "array_of_maps / hash_of_maps: the name of the scenario map this slot holds (it must match the outer map's inner_map template)."
        }
      }
    },
    "innerMapTemplate": {
      "type": "object",
      "additionalProperties": false,
      "required": ["type", "key_size", "value_size", "max_entries"],
      "description": "An inline inner map template, created and closed again around the outer map's creation as libbpf does for __array(values, struct inner).",
      "properties": {
        "name": { "type": "string", "maxLength": 15, "pattern": "^[A-Za-z0-9_.]*$" },
        "type": { "$ref": "#/definitions/mapType" },
        "key_size": { "type": "integer", "minimum": 0, "maximum": 4294967295 },
        "value_size": { "type": "integer", "minimum": 0, "maximum": 4294967295 },
        "max_entries": { "type": "integer", "minimum": 0, "maximum": 4294967295 },
        "flags": { "$ref": "#/definitions/mapFlags" },
        "map_extra": { "type": "integer", "minimum": 0 }
      }
    },
    "mapFlags": {
      "description": "map_flags: a number, or a list of flag names such as \"BPF_F_NO_PREALLOC\", \"BPF_F_ZERO_SEED\".",
      "oneOf": [
        {
          "type": "integer",
          "minimum": 0,
          "maximum": 4294967295
        },
        {
          "type": "array",
          "items": {
            "type": "string",
            "pattern": "^BPF_F_[A-Z_]+$"
          }
        }
      ]
    },
    "map": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "name"
      ],
      "examples": [
        { "name": "counts", "type": "hash", "key_size": 4, "value_size": 8, "max_entries": 1024, "entries": [ { "key": 1, "value": 3 } ] },
        { "name": "events", "type": "ringbuf", "key_size": 0, "value_size": 0, "max_entries": 262144 },
        { "name": "seen", "type": "bloom_filter", "key_size": 0, "value_size": 4, "max_entries": 100, "map_extra": 3, "entries": [ { "value": 80 } ] }
      ],
      "properties": {
        "name": {
          "type": "string",
          "maxLength": 15,
          "pattern": "^[A-Za-z0-9_.]*$",
          "description": "Map name as the kernel stores it (at most 15 characters: letters, digits, '_' and '.')."
        },
        "type": {
          "$ref": "#/definitions/mapType"
        },
        "key_size": {
          "type": "integer",
          "minimum": 0,
          "maximum": 4294967295
        },
        "value_size": {
          "type": "integer",
          "minimum": 0,
          "maximum": 4294967295
        },
        "max_entries": {
          "type": "integer",
          "minimum": 0,
          "maximum": 4294967295
        },
        "flags": {
          "$ref": "#/definitions/mapFlags"
        },
        "map_extra": {
          "type": "integer",
          "minimum": 0,
          "description": "bloom_filter: the number of hash functions (1..15, 0 means 5); arena: the user address the arena starts at. Other types must leave it 0."
        },
        "btf": {
          "type": "boolean",
          "description": "The map is created with BTF for its key and value (btf_key_type_id/btf_value_type_id), as libbpf does for maps declared in SEC(\".maps\"). sk/inode/task/cgrp storage maps need it."
        },
        "inner_map": {
          "description": "array_of_maps / hash_of_maps: the inner map template (inner_map_fd), the name of another scenario map or an inline definition.",
          "oneOf": [
            { "type": "string" },
            { "$ref": "#/definitions/innerMapTemplate" }
          ]
        },
        "description": {
          "type": "string",
          "description": "Free text: what would own this map on a real system."
        },
        "entries": {
          "type": "array",
          "description": "Elements written with BPF_MAP_UPDATE_ELEM after all scenario maps exist (so entries may name maps defined later). Maps without elements (ringbuf, perf_event_array, ...) take none.",
          "items": {
            "$ref": "#/definitions/entry"
          }
        }
      }
    }
  }
} as const;
