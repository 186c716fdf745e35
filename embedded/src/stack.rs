//! Stack high-water mark by painting: fill the free stack with a pattern, run the code
//! under test, then find the lowest word that no longer holds the pattern.
//!
//! The only `unsafe` of the firmware: raw reads and writes of the free stack, whose
//! bounds come from the linker script of cortex-m-rt.

use core::ptr;

/// What one measurement saw: bytes used below the painting point, and the bytes free
/// there (a measurement that used them all may have overflowed).
#[derive(Debug, Clone, Copy)]
pub struct Stack {
    /// Bytes written since painting.
    pub used: usize,
    /// Bytes that were painted.
    pub free: usize,
}

/// The pattern painted on free stack words.
const PAINT: u32 = 0xC0FF_EE5A;

/// Bytes left unpainted just below the stack pointer of [`paint`] itself.
const GUARD: usize = 64;

extern "C" {
    /// Lowest address the stack may grow to (end of `.bss`/`.uninit`), from cortex-m-rt.
    static _stack_end: u32;
}

/// Lowest stack address.
fn stack_bottom() -> usize {
    // Only the address of the linker symbol is taken (safe), never its value.
    ptr::addr_of!(_stack_end) as usize
}

/// Paint all free stack below the current stack pointer; returns that stack pointer,
/// the origin [`used_since`] measures from.
#[inline(never)]
fn paint() -> usize {
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = stack_bottom();
    while p + 4 <= sp - GUARD {
        // SAFETY: `p` is word aligned (cortex-m-rt aligns `_stack_end` to 4) and lies
        // between the end of `.bss` and GUARD bytes below this function's stack pointer:
        // free stack no live value occupies, and nothing else (no interrupts are enabled).
        unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
    sp
}

/// Run `f` on freshly painted stack and measure what it used. `f`'s result is kept in
/// this function's frame, above the painted area, so it is not counted.
#[inline(never)]
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Stack) {
    let origin = paint();
    let out = f();
    (out, Stack { used: used_since(origin), free: free_below(origin) })
}

/// Bytes of stack below `origin` (from [`paint`]) written since it was painted.
fn used_since(origin: usize) -> usize {
    let mut p = stack_bottom();
    // SAFETY: `p` stays word aligned inside the stack region (bottom..origin), which is RAM.
    while p + 4 <= origin && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    origin.saturating_sub(p)
}

/// Bytes between the stack bottom and `origin`: the most [`used_since`] can see.
fn free_below(origin: usize) -> usize {
    origin.saturating_sub(stack_bottom())
}
