/**
 * The JSON Schema of scenario files: the single source of truth. `scripts/bundle.js` writes it to
 * schemas/scenario.schema.json (used by VS Code's jsonValidation and by users' `$schema`), and a test checks
 * that the committed copy is current.
 */
import { networkDefinitions, networkSchema } from './scenarioNet';
import { cgroupAttachProperties, cgroupDefinitions, cgroupsSchema } from './scenarioCgroups';
import { kernelObjectsSchema } from './scenarioObjects';

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
        },
        "tid": {
          "type": "integer",
          "minimum": 1,
          "description": "task, task_file, task_vma: iterate one thread (link_info.task.tid). At most one of tid and pid."
        },
        "pid": {
          "type": "integer",
          "minimum": 1,
          "description": "task, task_file, task_vma: iterate one process, its threads for iter/task (link_info.task.pid). At most one of tid and pid."
        },
        ...cgroupAttachProperties
      }
    },
    "network": networkSchema,
    "cgroups": cgroupsSchema,
    "kernel_objects": kernelObjectsSchema,
    "globals": {
      "type": "object",
      "description": "Initial values of the program's global variables (.bss, .data, .rodata), applied before load like a skeleton's writes. Numbers for integers, hex byte strings for anything else.",
      "additionalProperties": {
        "$ref": "#/definitions/bytesOrNumber"
      }
    },
    "mounts": {
      "type": "array",
      "items": { "type": "string", "pattern": "^/." },
      "description": "Mount points under the root (\"/dev\", \"/sys/fs/bpf\"): a file directly under one has the mounted file system's root dentry, named \"/\", as its d_parent (what d_parent walks of /dev/null or a bpffs pin meet). Default /dev, /dev/pts, /dev/shm, /dev/mqueue, /proc, /sys, /sys/fs/bpf, /sys/fs/cgroup, /sys/kernel/debug, /sys/kernel/tracing, /run."
    },
    "processes": {
      "type": "array",
      "description": "The simulated machine's processes and threads, what iter/task, iter/task_file and iter/task_vma walk (by pid, files by fd, memory areas by address). Each is kernel memory laid out as Linux 6.18's task_struct, files_struct, file, dentry, mm_struct and vm_area_struct. Without this section the default system's processes are used.",
      "items": { "$ref": "#/definitions/process" },
      "examples": [
        [
          { "pid": 1, "comm": "systemd", "cmdline": ["/sbin/init"], "files": [ { "fd": 0, "path": "/dev/null", "flags": ["O_RDWR"] } ],
            "vmas": [ { "start": "0x55e3a4200000", "end": "0x55e3a4300000", "perms": "r-xp", "path": "/usr/lib/systemd/systemd" } ] },
          { "pid": 2, "ppid": 0, "comm": "kthreadd", "kthread": true },
          { "pid": 1034, "ppid": 1, "comm": "bash", "uid": 1000, "gid": 1000, "files": [ { "fd": 255, "path": "/dev/pts/0", "flags": ["O_RDWR", "O_CLOEXEC"] } ] },
          { "pid": 1035, "tgid": 1034, "comm": "bash" }
        ]
      ]
    }
  },
  "definitions": {
    ...networkDefinitions,
    ...cgroupDefinitions,
    "process": {
      "type": "object",
      "additionalProperties": false,
      "required": ["pid", "comm"],
      "description": "One task: a process (its leader, pid == tgid) or a thread (tgid names its process; it shares the process's files and memory).",
      "properties": {
        "pid": { "type": "integer", "minimum": 0, "maximum": 4194304, "description": "task->pid (the thread id)." },
        "tgid": { "type": "integer", "minimum": 0, "description": "task->tgid: the process a thread belongs to; default pid (a process)." },
        "ppid": { "type": "integer", "minimum": 0, "description": "The parent's pid (task->real_parent); default 1, and 2 (kthreadd) for kernel threads; 0 (init_task) for pid 1 and kthreadd themselves." },
        "comm": { "type": "string", "description": "task->comm (at most 15 bytes are kept)." },
        "uid": { "type": "integer", "minimum": 0 }, "gid": { "type": "integer", "minimum": 0 },
        "euid": { "type": "integer", "minimum": 0, "description": "Effective uid; default uid." },
        "egid": { "type": "integer", "minimum": 0, "description": "Effective gid; default gid." },
        "state": { "enum": ["R", "S", "D", "T", "Z", "I"], "description": "As ps shows it; task->__state. Default S, I for kernel threads." },
        "kthread": { "type": "boolean", "description": "A kernel thread: PF_KTHREAD, no mm (task_vma skips it), no open files." },
        "cmdline": { "type": "array", "items": { "type": "string" }, "description": "argv, the bytes at mm->arg_start..arg_end (NUL separated). Default [comm]." },
        "environ": { "type": "array", "items": { "type": "string" }, "description": "The environment (\"NAME=value\" strings), the bytes at mm->env_start..env_end, right after argv on the stack (NUL separated), as /proc/PID/environ shows them. Default none." },
        "exit_signal": { "type": "integer", "minimum": -1, "maximum": 64, "description": "task->exit_signal: the signal the parent gets when the task exits. Default as copy_process() sets it: -1 for a thread, 17 (SIGCHLD) for a forked process, 0 for pid 1 and kthreadd, which the kernel starts itself; the first process of a new pid namespace (unshare --fork --pid) was forked, so it has 17." },
        "loginuid": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "task->loginuid: the uid a login (pam_loginuid) wrote to /proc/self/loginuid, inherited by the processes it starts, as /proc/PID/loginuid shows it. Default 4294967295 (unset), what a process outside any login session has." },
        "sessionid": { "type": "integer", "minimum": 0, "maximum": 4294967295, "description": "task->sessionid: the audit session of that login, as /proc/PID/sessionid shows it. Default 4294967295 (unset)." },
        "used_privilege": { "type": "boolean", "description": "PF_SUPERPRIV in task->flags: the task used a capability since it was forked (a privileged mount, an unshare; a fork clears it, an exec keeps it), as the flags of /proc/PID/stat show it. The first process of `unshare --fork --pid --mount-proc` has it (it mounted /proc). Default false." },
        "start_time_ns": { "type": "integer", "minimum": 0, "description": "task->start_time (monotonic ns since boot)." },
        "prio": { "type": "integer", "minimum": 0, "maximum": 139, "description": "task->prio; 120 is nice 0." },
        "rlimits": {
          "type": "object", "additionalProperties": false,
          "description": "signal->rlim[]: the resource limits /proc/PID/limits shows, by name, each [soft, hard] (a number or \"unlimited\"); the others are INIT_RLIMITS' (a stack of 8 MiB, core 0, 1024/4096 open files, 8 MiB locked memory...). Threads share their process's.",
          "properties": Object.fromEntries(['cpu', 'fsize', 'data', 'stack', 'core', 'rss', 'nproc', 'nofile', 'memlock', 'as', 'locks', 'sigpending', 'msgqueue', 'nice', 'rtprio', 'rttime'].map((n) => [n, { "type": "array", "minItems": 2, "maxItems": 2, "items": { "anyOf": [{ "type": "integer", "minimum": 0 }, { "const": "unlimited" }] } }])),
          "examples": [{ "nofile": [1024, 524288], "stack": [8388608, "unlimited"] }]
        },
        "cgroup": { "type": "string", "pattern": "^/", "description": "The cgroup v2 directory the process is in, as the 0:: line of /proc/PID/cgroup names it (\"/system.slice/sshd.service\"); its threads are there too. task->cgroups->dfl_cgrp is that cgroup, and bpf_iter_css_task_new() on its css walks its tasks. A cgroup the cgroups section lacks is made. Default \"/\"." },
        "files": { "type": "array", "items": { "$ref": "#/definitions/openFile" }, "description": "The process's open files (threads share them)." },
        "vmas": { "type": "array", "items": { "$ref": "#/definitions/vma" }, "description": "The process's memory areas, as /proc/PID/maps lists them." },
        "description": { "type": "string" }
      }
    },
    "openFile": {
      "type": "object",
      "additionalProperties": false,
      "required": ["fd", "path"],
      "properties": {
        "fd": { "type": "integer", "minimum": 0, "maximum": 1048575 },
        "path": { "type": "string", "description": "The file's path (each component becomes a dentry: file->f_path.dentry->d_name.name is the last), or a pseudo name like socket:[12345], pipe:[678], anon_inode:[eventpoll]." },
        "flags": { "description": "file->f_flags: a number or open(2) flag names; f_mode follows them.", "oneOf": [ { "type": "integer", "minimum": 0 }, { "type": "array", "items": { "type": "string", "pattern": "^O_[A-Z]+$" } } ] },
        "pos": { "type": "integer", "minimum": 0, "description": "file->f_pos." },
        "ino": { "type": "integer", "minimum": 0, "description": "The inode number; default a fresh one." },
        "size": { "type": "integer", "minimum": 0, "description": "inode->i_size." },
        "dname": { "type": "string", "description": "A pseudo file's dentry name (alloc_file_pseudo): a socket's protocol, TCP, UDP, UNIX, NETLINK... Default: the path's last component; \"[eventpoll]\" for anon_inode:[eventpoll]; \"\" for sockets and pipes." },
        "type": { "enum": ["file", "dir", "chr", "blk", "fifo", "socket", "link", "anon"], "description": "inode->i_mode's file type; default from the path (/dev/* chr, socket:[N] socket, pipe:[N] fifo)." }
      }
    },
    "vma": {
      "type": "object",
      "additionalProperties": false,
      "required": ["start", "end"],
      "properties": {
        "start": { "description": "vm_start, page aligned: a number or a \"0x...\" string.", "oneOf": [ { "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^(0x[0-9a-fA-F]+|[0-9]+)$" } ] },
        "end": { "description": "vm_end (exclusive), page aligned.", "oneOf": [ { "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^(0x[0-9a-fA-F]+|[0-9]+)$" } ] },
        "perms": { "type": "string", "pattern": "^[r-][w-][x-][ps]$", "description": "As /proc/PID/maps prints them; vm_flags follow (VM_READ, VM_WRITE, VM_EXEC, VM_SHARED). Default r--p." },
        "pgoff": { "description": "vm_pgoff: the file offset in pages.", "oneOf": [ { "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^(0x[0-9a-fA-F]+|[0-9]+)$" } ] },
        "path": { "type": "string", "description": "The mapped file (vm->vm_file), or [heap], [stack], [vdso] for areas without one." },
        "ino": { "type": "integer", "minimum": 0 },
        "data": { "type": "string", "pattern": "^\\s*([0-9a-fA-F]{2}\\s*)*$", "description": "Hex bytes (\"7f 45 4c 46 ...\"): the first bytes of the area's memory (for a file mapping, the file's bytes at pgoff, such as an ELF header), what bpf_copy_from_user_task() reads at vm_start. The rest of a readable area reads as zeros; an area without read permission faults (-EFAULT)." }
      }
    },
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
        },
        "socket": {
          "type": "integer",
          "minimum": 0,
          "description": "sockmap / sockhash (with \"key\") and sk_storage (with \"value\", no key): the socket of /network/sockets/N this element refers to, as user space gives a socket fd. sockmap and sockhash take established or listening TCP, UDP and unix sockets."
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
        },
        "entries_file": {
          "type": "string",
          "minLength": 1,
          "description": "A binary file of elements (hash, lru_hash and array maps), relative to the scenario file: fixed-size records, each key_size bytes of key then value_size bytes of value in memory order (what BPF_MAP_LOOKUP_BATCH gives, interleaved), no header or padding; its size must be a whole number of records. Written after \"entries\", before \"generate\", in file order.",
          "examples": [ "conntrack.entries" ]
        },
        "generate": {
          "type": "object",
          "additionalProperties": false,
          "required": ["count"],
          "description": "Elements made by rule rather than listed, written after \"entries\" (hash, lru_hash and array maps of integer keys and values of 1, 2, 4 or 8 bytes): element i (0..count-1) has key key.start + i * key.step and value value.start + i * value.step, or a value drawn uniformly from value.uniform [min, max] by a generator seeded with seed (the same seed, the same values).",
          "examples": [ { "count": 1000000, "key": { "start": 0, "step": 1 }, "value": { "uniform": [0, 99999] }, "seed": 7 } ],
          "properties": {
            "count": { "type": "integer", "minimum": 0, "maximum": 100000000 },
            "key": {
              "type": "object",
              "additionalProperties": false,
              "properties": {
                "start": { "type": "integer", "minimum": 0, "default": 0 },
                "step": { "type": "integer", "minimum": 1, "default": 1 }
              }
            },
            "value": {
              "oneOf": [
                {
                  "type": "object",
                  "additionalProperties": false,
                  "properties": {
                    "start": { "type": "integer", "default": 0 },
                    "step": { "type": "integer", "default": 0 }
                  }
                },
                {
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["uniform"],
                  "properties": {
                    "uniform": { "type": "array", "items": { "type": "integer" }, "minItems": 2, "maxItems": 2 }
                  }
                }
              ]
            },
            "seed": { "type": "integer", "minimum": 0, "maximum": 4294967295, "default": 0 }
          }
        }
      }
    }
  }
} as const;
