//! Example firmware: lazyqt-core on a Cortex-M4F (QEMU's `mps2-an386`), no heap.
//!
//! It opens the CamHD-layout movie `build.rs` put in flash twice — once reading flash
//! directly, once through a simulated 512-byte-sector block device — and prints over
//! semihosting, one JSON object per line, what it found (track summary, frame 0 / middle
//! / last, frames by time), the stack the core used (stack painting), the sectors read,
//! and SysTick counts of the lookups. It exits with status 0 when every step worked and
//! 1 otherwise; `run.sh` compares the values with what `lazyqt` says on the host.

#![no_std]
#![no_main]

mod block;
mod clock;
mod image;
mod lookups;
mod report;
mod stack;

use cortex_m_rt::{entry, exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

use block::{Disk, SectorReader};
use image::Image;
use lazyqt_core::{Movie, ReadAt};

/// Random frame lookups timed with SysTick.
const TIMED_LOOKUPS: u32 = 1000;

#[entry]
fn main() -> ! {
    let status = match run() {
        Ok(()) => debug::EXIT_SUCCESS,
        Err(()) => debug::EXIT_FAILURE,
    };
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}

/// Both passes and the timing; `Err` once a failure has been printed.
fn run() -> Result<(), ()> {
    report::layout(Image::stored_bytes());
    // Pass 1: the movie read straight from flash.
    let movie = pass("flash", &Image, None)?;
    // Pass 2: the same movie behind a block device of 512-byte sectors.
    let disk = Disk::default();
    pass("block", &SectorReader::new(&disk), Some(&disk))?;
    let peripherals = cortex_m::Peripherals::take().ok_or(())?;
    let mut clock = clock::Clock::start(peripherals.SYST);
    report::timing(&mut clock, &movie, TIMED_LOOKUPS)
}

/// Open the movie through `r` and make the lookups, measuring the stack of each step;
/// print what was found. Returns the movie.
fn pass<R: ReadAt + ?Sized>(name: &str, r: &R, disk: Option<&Disk>) -> Result<Movie, ()> {
    let mut movie = Movie::empty();
    let (opened, open_stack) = stack::measure(|| lookups::open(&mut movie, r));
    report::opened(name, opened.map(|()| &movie), open_stack)?;
    let open_sectors = disk.map(Disk::reads);
    let (found, lookup_stack) = stack::measure(|| lookups::run(&movie, r));
    report::found(name, found, lookup_stack)?;
    if let (Some(open), Some(disk)) = (open_sectors, disk) {
        report::sectors(name, open, disk.reads().saturating_sub(open));
    }
    Ok(movie)
}

/// A fault (e.g. a stack overflow into `.bss`) ends the run with a failure instead of
/// hanging QEMU. cortex-m-rt requires this handler to be declared `unsafe`; it does
/// nothing unsafe.
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("{{\"error\":\"HardFault at pc {:#010x}\"}}", frame.pc());
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}
