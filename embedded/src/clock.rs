//! Counting time with SysTick on the core clock.
//!
//! QEMU does not implement the DWT cycle counter (CYCCNT reads 0) and does not model
//! cycles at all. Run with `-icount shift=0` (as `.cargo/config.toml` does), its clock
//! advances 1 ns per executed instruction, and SysTick on the MPS2's 25 MHz core clock
//! then ticks once every 40 instructions: [`Clock::ticks`] over many calls gives
//! instructions per call, not cycles (a real Cortex-M4 needs about 1-1.5 cycles per
//! instruction plus flash wait states).

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// Largest SysTick reload value (24 bits).
const RELOAD: u32 = 0x00FF_FFFF;

/// A free-running SysTick.
pub struct Clock {
    syst: SYST,
}

impl Clock {
    /// Start SysTick counting down from its largest value on the core clock.
    pub fn start(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(RELOAD);
        syst.clear_current();
        syst.enable_counter();
        Self { syst }
    }

    /// Run `f` and count the ticks it took; `None` if the counter wrapped (too long to
    /// measure in one go).
    pub fn ticks<T>(&mut self, f: impl FnOnce() -> T) -> (T, Option<u32>) {
        let _ = self.syst.has_wrapped(); // reading clears the wrap flag
        let start = SYST::get_current();
        let out = f();
        let end = SYST::get_current();
        let ticks = (!self.syst.has_wrapped()).then(|| start.wrapping_sub(end) & RELOAD);
        (out, ticks)
    }
}
