# Warnings, sanitizers and ccache for every NeuroMosaic target.
find_program(NM_CCACHE ccache)
if(NM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER ${NM_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${NM_CCACHE})
  message(STATUS "NeuroMosaic: using ccache (${NM_CCACHE})")
endif()

add_library(nm_options INTERFACE)
target_compile_options(nm_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wno-unused-parameter>)
if(NM_SANITIZE)
  # -O1, as the sanitizers' authors advise: at -O0 Eigen code runs 10-30x slower than at -O3
  # and the template-surface tests outgrew their timeouts; -O1 keeps every check and the stacks.
  target_compile_options(nm_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined -O1)
  target_link_options(nm_options INTERFACE -fsanitize=address,undefined)
endif()
# Release builds: optimise for the building machine's class. x86-64-v3 (AVX2 + FMA) doubles the
# dense products of dictionary learning; it is chosen when the build host runs it, x86-64-v2
# otherwise. Packages set NM_PORTABLE=ON for binaries that run on any x86-64-v2 machine.
option(NM_PORTABLE "Release binaries for any x86-64-v2 CPU (no AVX2/FMA)" OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(NM_MARCH x86-64-v2)
  if(NOT NM_PORTABLE)
    include(CheckCXXSourceRuns)
    check_cxx_source_runs([=[
      int main() { __builtin_cpu_init(); return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 0 : 1; }
    ]=] NM_HOST_HAS_AVX2_FMA)
    if(NM_HOST_HAS_AVX2_FMA)
      set(NM_MARCH x86-64-v3)
    endif()
  endif()
  message(STATUS "NeuroMosaic: Release code for -march=${NM_MARCH}")
  target_compile_options(nm_options INTERFACE $<$<CONFIG:Release,RelWithDebInfo>:-march=${NM_MARCH}>)
endif()
