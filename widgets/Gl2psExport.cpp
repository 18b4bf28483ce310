#include "Gl2psExport.hpp"

#include <vtkGL2PSExporter.h>
#include <vtkRenderWindow.h>
#include <vtkSmartPointer.h>

namespace nm::widgets {

void writeGl2psSvg(vtkRenderWindow* window, const std::string& prefix) {
    auto exporter = vtkSmartPointer<vtkGL2PSExporter>::New();
    exporter->SetRenderWindow(window);
    exporter->SetFileFormatToSVG();
    exporter->SetFilePrefix(prefix.c_str());  // GL2PS appends the extension
    exporter->CompressOff();
    exporter->DrawBackgroundOn();
    exporter->SetSortToSimple();
    exporter->TextAsPathOff();
    exporter->Write();
}

} // namespace nm::widgets
