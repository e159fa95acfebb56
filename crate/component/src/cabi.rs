//! `cabi_realloc`, the allocator entry point the canonical ABI calls to hand
//! the component strings, lists and records. wit-bindgen supplies it on
//! wasm32-wasip2 only through `std`; this crate is `no_std` there (so that the
//! component imports no WASI), hence this copy of wit-bindgen's definition.
//! It is the crate's only `unsafe` code.

use alloc::alloc::{alloc, realloc, Layout};

/// Allocates (`old_len == 0`) or grows a block for the host, per the component
/// model's canonical ABI.
///
/// # Safety
/// Called by the host's canonical ABI only: `old_ptr`/`old_len`/`align` are a
/// block this function returned before (or zero), and `align` is a power of
/// two. A layout the ABI could never ask for, or memory running out, traps.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(old_ptr: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    if old_len == 0 && new_len == 0 {
        return core::ptr::without_provenance_mut(align);
    }
    let Ok(layout) = Layout::from_size_align(if old_len == 0 { new_len } else { old_len }, align) else {
        core::arch::wasm32::unreachable()
    };
    // SAFETY: `layout` has a non-zero size; when growing, the ABI passes back a
    // block allocated here with this layout (see the contract above).
    let block = unsafe {
        if old_len == 0 {
            alloc(layout)
        } else {
            realloc(old_ptr, layout, new_len)
        }
    };
    if block.is_null() {
        core::arch::wasm32::unreachable()
    }
    block
}
