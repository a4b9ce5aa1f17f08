/** Linux errno numbers used by the simulated kernel (include/uapi/asm-generic/errno-base.h, errno.h). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EBADF: 9, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17,
  EINVAL: 22, ENOSPC: 28, ENAMETOOLONG: 36, E2BIG: 7, ERANGE: 34, EOVERFLOW: 75, EPROTO: 71, ENOTSUPP: 524, EOPNOTSUPP: 95,
} as const;
export type ErrnoName = keyof typeof ERRNO;

/** Error thrown by the libbpf-like API; helpers never throw, they return -errno. */
export class KernelError extends Error {
  readonly errno: number;
  constructor(readonly code: ErrnoName, message: string) {
    super(`${message} (${code})`);
    this.name = 'KernelError';
    this.errno = ERRNO[code];
  }
}

/** A batch operation that stopped at element `count` (the ones before it were done), like attr->batch.count. */
export class MapBatchError extends KernelError {
  constructor(code: ErrnoName, message: string, readonly count: number) { super(code, message); }
}

export function errnoName(errno: number): ErrnoName | undefined {
  const n = Math.abs(errno);
  return (Object.keys(ERRNO) as ErrnoName[]).find((k) => ERRNO[k] === n);
}
