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
  target_compile_options(nm_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined)
  target_link_options(nm_options INTERFACE -fsanitize=address,undefined)
endif()
# Release builds: optimise for this machine class (x86-64-v2 is safe on every CI host we use)
# while keeping the binaries portable.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  target_compile_options(nm_options INTERFACE $<$<CONFIG:Release,RelWithDebInfo>:-march=x86-64-v2>)
endif()
