# Every dependency comes from a Debian 12 package (scripts/setup-deps.sh installs them).
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(EXPAT REQUIRED)  # libexpat1-dev: the GIFTI structure check in front of libgiftiio (io/Gifti.cpp)
find_package(HDF5 REQUIRED COMPONENTS C)  # the atlas bundle (serial HDF5, C API)
# MPI is optional: `mpirun -np N neuromosaic-cli learn` splits the data streams over ranks.
option(NM_WITH_MPI "Build the learner with MPI (OpenMPI)" ON)
if(NM_WITH_MPI)
  find_package(MPI COMPONENTS C)
  if(NOT MPI_C_FOUND)
    message(STATUS "NeuroMosaic: MPI not found, building without it")
    set(NM_WITH_MPI OFF)
  endif()
endif()
find_package(Threads REQUIRED)
# LibTorch (Debian libtorch-dev 1.13, CPU): training of the artificial networks (core/ann) only.
# OFF until LibTorch's Qt5 dependency is kept out of our executables (tests/check_no_qt5.cmake).
option(NM_WITH_ANN "Build core/ann and the ann commands (LibTorch)" OFF)
if(NM_WITH_ANN)
  find_package(Torch REQUIRED)
endif()
find_package(OpenMP REQUIRED COMPONENTS CXX)  # GCC's libgomp: loop-level parallelism in core
# libzip through pkg-config: Debian's libzip CMake config requires the zipcmp tools binaries.
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
# igraph (Debian libigraph-dev): Louvain and Leiden community detection.
pkg_check_modules(IGRAPH REQUIRED IMPORTED_TARGET igraph)
# libgiftiio (Debian libgiftiio-dev) ships no CMake or pkg-config files.
find_path(GIFTI_INCLUDE_DIR gifti/gifti_io.h REQUIRED)
find_path(NIFTI_INCLUDE_DIR nifti1_io.h PATH_SUFFIXES nifti REQUIRED)
find_library(GIFTI_LIBRARY giftiio REQUIRED)
add_library(nm_gifti INTERFACE)
target_include_directories(nm_gifti INTERFACE ${GIFTI_INCLUDE_DIR} ${NIFTI_INCLUDE_DIR})
target_link_libraries(nm_gifti INTERFACE ${GIFTI_LIBRARY})

# ITK: only the IO and filter modules we use; its headers stay inside a few core/io .cpp files.
find_package(ITK 5.2 REQUIRED COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKImageFunction
             ITKImageGrid ITKTransform)
include(${ITK_USE_FILE})

# VTK: an explicit component list. A bare find_package(VTK) pulls in the Qt5-built GUISupportQt;
# never request GUISupportQt, RenderingQt or ViewsQt (tests/check_no_qt5.cmake guards this).
set(NM_VTK_CORE_COMPONENTS CommonCore CommonDataModel CommonExecutionModel CommonMisc
    FiltersCore FiltersGeneral FiltersModeling FiltersSources ImagingCore ImagingGeneral)
set(NM_VTK_RENDER_COMPONENTS RenderingCore RenderingOpenGL2 RenderingUI RenderingFreeType
    RenderingAnnotation InteractionStyle IOImage IOExportGL2PS RenderingGL2PSOpenGL2)
# Rendering (nmrender) is needed by the CLI too (`render`), so VTK's rendering modules are always found.
find_package(VTK 9.1 REQUIRED COMPONENTS ${NM_VTK_CORE_COMPONENTS} ${NM_VTK_RENDER_COMPONENTS})
if(NM_BUILD_GUI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Svg Concurrent Charts Test)
  find_package(OpenGL REQUIRED)
endif()
