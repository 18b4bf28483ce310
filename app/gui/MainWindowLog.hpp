#pragma once
// Log levels of MainWindow::log, shared by the MainWindow*.cpp files (the LogPanel's numbering).

namespace nm::gui {
enum LogLevelInt { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };
} // namespace nm::gui
