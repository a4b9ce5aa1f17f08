/**
 * Stack initialisation. Mirrors check_stack_read_fixed_off() / check_stack_range_initialized(): every byte read
 * (directly, or by a helper through an argument) must have been written on the current path.
 */
import type { IrFunction } from '../ir';

/** Index of the first unwritten byte in [start, end) of a slot, or -1. */
export function firstUninitialized(init: Uint8Array, start: number, end: number): number {
  for (let i = Math.max(0, start); i < Math.min(init.length, end); i++) if (!init[i]) return i;
  return -1;
}

export function markInitialized(init: Uint8Array, start: number, end: number): void {
  for (let i = Math.max(0, start); i < Math.min(init.length, end); i++) init[i] = 1;
}

/**
 * The frame-pointer-relative offset the verifier prints for a byte of a slot. Slots are laid out by bpf-iter-lab
 * (`StackSlot.offset` from the bottom of a frame of `stackSize` bytes), which may differ from clang's layout.
 */
export function fpOffset(fn: IrFunction, slotId: number, offsetInSlot: number): number {
  const slot = fn.slots.find((s) => s.id === slotId);
  return (slot ? slot.offset - fn.stackSize : 0) + offsetInSlot;
}
