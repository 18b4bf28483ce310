# Every dependency comes from a Debian 12 package (scripts/setup-deps.sh installs them).
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)

# ITK: only the IO and filter modules we use; its headers stay inside a few core/io .cpp files.
find_package(ITK 5.2 REQUIRED COMPONENTS ITKCommon ITKIOImageBase ITKIONIFTI ITKImageFunction
             ITKImageGrid ITKTransform)
include(${ITK_USE_FILE})

# VTK: an explicit component list. A bare find_package(VTK) pulls in the Qt5-built GUISupportQt;
# never request GUISupportQt, RenderingQt or ViewsQt (tests/check_no_qt5.cmake guards this).
set(NM_VTK_CORE_COMPONENTS CommonCore CommonDataModel CommonExecutionModel CommonMisc
    FiltersCore FiltersGeneral FiltersModeling FiltersSources ImagingCore ImagingGeneral)
set(NM_VTK_RENDER_COMPONENTS RenderingCore RenderingOpenGL2 RenderingUI RenderingFreeType
    RenderingAnnotation InteractionStyle IOImage IOExportGL2PS)
if(NM_BUILD_GUI)
  find_package(VTK 9.1 REQUIRED COMPONENTS ${NM_VTK_CORE_COMPONENTS} ${NM_VTK_RENDER_COMPONENTS})
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets OpenGL OpenGLWidgets Svg Concurrent Test)
  find_package(OpenGL REQUIRED)
else()
  find_package(VTK 9.1 REQUIRED COMPONENTS ${NM_VTK_CORE_COMPONENTS})
endif()
