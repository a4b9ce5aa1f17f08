import { kernelBtf } from './btf';
import { KernelMemory, Region } from './memory';
import { PAGE_SIZE } from './mapTypes';

/** bpf_seq_read() allocates PAGE_SIZE << 3 bytes on the first read */
export const SEQ_BUF_SIZE = PAGE_SIZE << 3;

/** The seq_file a bpf iterator writes into (fs/seq_file.c rules). */
export class SeqFile {
  readonly buf = new Uint8Array(SEQ_BUF_SIZE);
  readonly size = SEQ_BUF_SIZE;
  count = 0;
  from = 0;
  /** struct seq_file in simulated memory so the program's `seq` pointer is a real address */
  readonly region: Region;
  constructor(memory: KernelMemory) { this.region = memory.alloc(kernelBtf.seq_file.size, 'struct seq_file', true); }

  get addr(): bigint { return this.region.addr; }
  /** seq_has_overflowed(): count == size */
  get overflowed(): boolean { return this.count === this.size; }
  /** mirrors seq_write(): needs count + len < size, else marks overflow and returns -1 */
  write(data: Uint8Array): number {
    if (this.count + data.length < this.size) {
      this.buf.set(data, this.count);
      this.count += data.length;
      return 0;
    }
    this.count = this.size;
    return -1;
  }
}
