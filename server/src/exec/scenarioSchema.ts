/**
 * The JSON Schema of scenario files: the single source of truth. `scripts/bundle.js` writes it to
 * schemas/scenario.schema.json (used by VS Code's jsonValidation and by users' `$schema`), and a test checks
 * that the committed copy is current.
 */
/* eslint-disable */
export const scenarioSchema = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://bpf-iter-lab.invalid/schemas/scenario.schema.json",
  "title": "bpf-iter-lab scenario",
  "description": "The simulated system an iterator program runs on: CPUs, the maps that exist besides the program's own, the map a bpf_map_elem program is attached to, and values for the program's globals.",
  "type": "object",
  "additionalProperties": false,
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
    "globals": {
      "type": "object",
      "description": "Initial values of the program's global variables (.bss, .data, .rodata), applied before load like a skeleton's writes. Numbers for integers, hex byte strings for anything else.",
      "additionalProperties": {
        "$ref": "#/definitions/bytesOrNumber"
      }
    }
  },
  "definitions": {
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
    "entry": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "key": {
          "$ref": "#/definitions/bytesOrNumber"
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
        }
      },
      "required": [
        "key"
      ]
    },
    "map": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "name"
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
        "entries": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/entry"
          }
        }
      }
    }
  }
} as const;
