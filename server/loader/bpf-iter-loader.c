// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bpf-iter's loader for `bpf-iter run --kernel`: what bpftool cannot do in one go. It creates the scenario's maps
 * with every attribute the scenario gives (map_extra, inner map templates, per-CPU values for each CPU), writes the
 * scenario's globals into the object's .bss/.data/.rodata before the load (as a skeleton does), loads the object,
 * attaches the named iterator program (with a map for bpf_map_elem), reads the iterator to its end onto stdout and
 * exits. Nothing is pinned: every map, program and link dies with this process, so nothing is left on the host.
 *
 * Built on first use by bpf-iter (host clang, -lbpf) into its cache folder. Usage: bpf-iter-loader ORDERS OUTPUT; it
 * reads its orders from the file ORDERS, one per line, and writes what the iterator gives to the file OUTPUT; every string and byte field in hex (so no name or path needs quoting):
 *   pinroot PATHHEX                  (before object: where maps pinned by name go, libbpf's pin_root_path)
 *   object  PATHHEX
 *   program NAMEHEX
 *   map     NAMEHEX TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES FLAGS MAP_EXTRA INNER   (INNER: a map index or -1)
 *   elem    MAP KEYHEX VALUEHEX      (KEYHEX "-" for maps without keys: the value is pushed)
 *   inner   MAP KEYHEX INNER_MAP     (map-in-map: the slot holds the inner map)
 *   close   MAP                      (an inner map template, dropped after use as libbpf does)
 *   global  SECTIONHEX OFFSET BYTESHEX
 *   attach  MAP                      (bpf_map_elem: link_info.map.map_fd)
 *   run
 * Maps are numbered in the order they are created. On failure it prints one line
 * "bpf-iter-loader: <what>: <errno name>: <text>" to stderr (after libbpf's log, which holds the verifier's words)
 * and exits 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define MAX_MAPS 4096

static int map_fds[MAX_MAPS];
static int map_count;

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ENOTSUP: return "ENOTSUP";
	case ENOSYS: return "ENOSYS";
	default: return "EIO";
	}
}

static void fail(const char *what, int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	fprintf(stderr, "bpf-iter-loader: %s: %s: ", what, errno_name(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Decodes a hex field into a fresh buffer; *len gets its length. */
static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex) / 2, i;
	unsigned char *out = calloc(n + 1, 1);

	if (!out)
		fail("reading the orders", ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		unsigned int byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			fail("reading the orders", EINVAL, "bad hex field");
		out[i] = (unsigned char)byte;
	}
	*len = n;
	return out;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int map_fd(long index)
{
	if (index < 0 || index >= map_count || map_fds[index] < 0)
		fail("reading the orders", EINVAL, "no map %ld", index);
	return map_fds[index];
}

#define MAX_KEPT 256

/* The highest id of a map that exists now (0 for none): maps made later get higher ids (idr_alloc_cyclic()). */
static __u32 highest_map_id(void)
{
	__u32 id = 0, next;

	while (!bpf_map_get_next_id(id, &next))
		id = next;
	return id;
}

/* The ids of the maps a loaded program holds (its used_maps), at most max. */
static int used_map_ids(int prog_fd, __u32 *ids, int max)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = max;
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len)) /* libbpf 1.1 has no bpf_prog_get_info_by_fd() */
		fail("reading the program's maps", errno, "bpf_obj_get_info_by_fd");
	return info.nr_map_ids < (__u32)max ? (int)info.nr_map_ids : max;
}

/*
 * Waits (at most 2 s) until no map with an id from first_id on exists but the kept ones: a map whose last reference
 * was a closed program's goes when the kernel's deferred free of that program runs. Another process's new map
 * would make it wait the 2 s and stay, as it would be there for cat too.
 */
static void wait_for_unused_maps(__u32 first_id, const __u32 *kept, int nkept)
{
	int tries, i;

	for (tries = 0; tries < 400; tries++) {
		__u32 id = first_id - 1, next;
		int others = 0;

		while (!bpf_map_get_next_id(id, &next)) {
			id = next;
			for (i = 0; i < nkept && kept[i] != id; i++)
				;
			if (i == nkept)
				others++;
		}
		if (!others)
			return;
		usleep(5000);
	}
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct bpf_object *obj = NULL;
	char *program = NULL, *line = NULL, *pin_root = NULL;
	size_t cap = 0;
	int attach_fd = -1;
	FILE *orders, *output;

	if (argc != 3)
		fail("starting", EINVAL, "usage: bpf-iter-loader ORDERS OUTPUT");
	orders = fopen(argv[1], "r");
	if (!orders)
		fail("reading the orders", errno, "%s", argv[1]);
	libbpf_set_print(libbpf_log);
	while (getline(&line, &cap, orders) > 0) {
		char word[16], a[8192], b[1 << 16], c[1 << 16];
		size_t n;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%15s", word) != 1)
			continue;
		if (!strcmp(word, "pinroot")) {
			if (sscanf(line, "pinroot %8191s", a) != 1)
				fail("reading the orders", EINVAL, "pinroot needs a path");
			pin_root = (char *)unhex(a, &n);
		} else if (!strcmp(word, "object")) {
			unsigned char *path;

			if (sscanf(line, "object %8191s", a) != 1)
				fail("reading the orders", EINVAL, "object needs a path");
			path = unhex(a, &n);
			open_opts.pin_root_path = pin_root;
			obj = bpf_object__open_file((char *)path, &open_opts);
			if (!obj)
				fail("opening the object", errno, "%s", (char *)path);
		} else if (!strcmp(word, "program")) {
			if (sscanf(line, "program %8191s", a) != 1)
				fail("reading the orders", EINVAL, "program needs a name");
			program = (char *)unhex(a, &n);
		} else if (!strcmp(word, "map")) {
			unsigned int type, key, value, max, flags;
			unsigned long long extra;
			long inner;
			unsigned char *name;
			LIBBPF_OPTS(bpf_map_create_opts, opts);
			int fd;

			if (sscanf(line, "map %8191s %u %u %u %u %u %llu %ld", a, &type, &key, &value, &max, &flags, &extra, &inner) != 8)
				fail("reading the orders", EINVAL, "bad map order");
			if (map_count == MAX_MAPS)
				fail("creating a map", E2BIG, "more than %d maps", MAX_MAPS);
			name = unhex(a, &n);
			opts.map_flags = flags;
			opts.map_extra = extra;
			if (inner >= 0)
				opts.inner_map_fd = map_fd(inner);
			fd = bpf_map_create(type, n ? (char *)name : NULL, key, value, max, &opts);
			if (fd < 0)
				fail("creating a map", errno, "map %s", (char *)name);
			map_fds[map_count++] = fd;
		} else if (!strcmp(word, "elem")) {
			long index;
			unsigned char *k = NULL, *v;
			int err;

			if (sscanf(line, "elem %ld %65535s %65535s", &index, b, c) != 3)
				fail("reading the orders", EINVAL, "bad elem order");
			v = unhex(c, &n);
			if (strcmp(b, "-"))
				k = unhex(b, &n);
			err = bpf_map_update_elem(map_fd(index), k, v, 0);
			if (err)
				fail("updating a map", errno, "map %ld", index);
		} else if (!strcmp(word, "inner")) {
			long index, inner;
			unsigned char *k;
			int fd;

			if (sscanf(line, "inner %ld %65535s %ld", &index, b, &inner) != 3)
				fail("reading the orders", EINVAL, "bad inner order");
			k = unhex(b, &n);
			fd = map_fd(inner);
			if (bpf_map_update_elem(map_fd(index), k, &fd, 0))
				fail("updating a map", errno, "map %ld", index);
		} else if (!strcmp(word, "close")) {
			long index;

			if (sscanf(line, "close %ld", &index) != 1)
				fail("reading the orders", EINVAL, "bad close order");
			close(map_fd(index));
			map_fds[index] = -1;
		} else if (!strcmp(word, "global")) {
			unsigned long offset;
			unsigned char *section, *bytes;
			struct bpf_map *map;
			size_t found = 0;

			if (!obj)
				fail("reading the orders", EINVAL, "global before object");
			if (sscanf(line, "global %8191s %lu %65535s", a, &offset, b) != 3)
				fail("reading the orders", EINVAL, "bad global order");
			section = unhex(a, &n);
			bytes = unhex(b, &n);
			/* libbpf names an internal map <object prefix><section>, the prefix truncated to fit */
			bpf_object__for_each_map(map, obj) {
				const char *name = bpf_map__name(map);
				size_t nl = strlen(name), sl = strlen((char *)section);
				size_t size = 0;
				const void *current;
				char *data;

				if (!bpf_map__is_internal(map) || nl < sl || strcmp(name + nl - sl, (char *)section))
					continue;
				current = bpf_map__initial_value(map, &size);
				if (!current || offset + n > size)
					fail("setting a global", EINVAL, "%s+%lu does not fit", (char *)section, offset);
				data = malloc(size);
				if (!data)
					fail("setting a global", ENOMEM, "out of memory");
				memcpy(data, current, size);
				memcpy(data + offset, bytes, n);
				if (bpf_map__set_initial_value(map, data, size))
					fail("setting a global", errno, "%s", (char *)section);
				free(data);
				found = 1;
				break;
			}
			if (!found)
				fail("setting a global", ENOENT, "the object has no %s section", (char *)section);
		} else if (!strcmp(word, "attach")) {
			long index;

			if (sscanf(line, "attach %ld", &index) != 1)
				fail("reading the orders", EINVAL, "bad attach order");
			attach_fd = map_fd(index);
		} else if (!strcmp(word, "run")) {
			struct bpf_program *prog;
			struct bpf_link *link;
			LIBBPF_OPTS(bpf_iter_attach_opts, attach);
			union bpf_iter_link_info info;
			__u32 kept_ids[MAX_KEPT], first_new_id;
			struct bpf_map *map;
			int kept;
			char out[1 << 16];
			ssize_t got;
			int err, iter;

			if (!obj || !program)
				fail("reading the orders", EINVAL, "run needs an object and a program");
			prog = bpf_object__find_program_by_name(obj, program);
			if (!prog)
				fail("finding the program", ENOENT, "%s", program);
			/* every map made from here on is the object's or libbpf's feature probes' */
			first_new_id = highest_map_id() + 1;
			/* every program of the object is loaded, as bpftool iter pin and a skeleton's load do */
			err = bpf_object__load(obj);
			if (err)
				fail("loading the object", err, "the kernel refused the load");
			if (attach_fd >= 0) {
				memset(&info, 0, sizeof(info));
				info.map.map_fd = attach_fd;
				attach.link_info = &info;
				attach.link_info_len = sizeof(info);
			}
			link = bpf_program__attach_iter(prog, &attach);
			if (!link)
				fail("attaching the iterator", errno, "%s", program);
			/*
			 * bpftool iter pin closes the object once the link is pinned, and cat reads later: by then the object's
			 * maps that the iterator does not use and libbpf's probe maps are gone (their last references die in
			 * the kernel's deferred frees of the programs that used them). The same state here: close the object,
			 * then wait until the maps made since the load are only the iterator's.
			 */
			kept = used_map_ids(bpf_program__fd(prog), kept_ids, MAX_KEPT);
			/* a map libbpf pinned by name stays too, held by its pin */
			bpf_object__for_each_map(map, obj) {
				struct bpf_map_info map_info;
				__u32 map_info_len = sizeof(map_info);

				memset(&map_info, 0, sizeof(map_info));
				if (kept < MAX_KEPT && bpf_map__is_pinned(map) &&
				    !bpf_obj_get_info_by_fd(bpf_map__fd(map), &map_info, &map_info_len))
					kept_ids[kept++] = map_info.id;
			}
			bpf_object__close(obj);
			obj = NULL;
			wait_for_unused_maps(first_new_id, kept_ids, kept);
			output = fopen(argv[2], "wb");
			if (!output)
				fail("writing the output", errno, "%s", argv[2]);
			iter = bpf_iter_create(bpf_link__fd(link));
			if (iter < 0)
				fail("opening the iterator", errno, "%s", program);
			while ((got = read(iter, out, sizeof(out))) > 0)
				if (fwrite(out, 1, got, output) != (size_t)got)
					fail("writing the output", EIO, "%s", argv[2]);
			if (got < 0)
				fail("reading the iterator", errno, "%s", program);
			if (fclose(output))
				fail("writing the output", errno, "%s", argv[2]);
			return 0;
		} else {
			fail("reading the orders", EINVAL, "unknown order %s", word);
		}
	}
	fail("reading the orders", EINVAL, "no run order");
	return 1;
}
