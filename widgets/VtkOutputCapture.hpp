#pragma once
// Captures VTK's error and warning output (vtkOutputWindow) so that the application can show
// it in its log and tests can fail on any VTK error, as 3D Slicer's test driver does.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace nm::widgets {

struct VtkMessage {
    enum class Kind { Text, Error, Warning, Generic, Debug };
    Kind kind;
    std::string text;
};

class VtkOutputCapture {
public:
    /// Installs the capture as VTK's global output window (idempotent) and returns it.
    static VtkOutputCapture& install();

    /// Called for every message (from any thread); replaces the previous listener.
    void setListener(std::function<void(const VtkMessage&)> listener);

    [[nodiscard]] std::vector<VtkMessage> messages() const;
    [[nodiscard]] std::size_t errorCount() const;    ///< errors + warnings
    void clear();
    void record(VtkMessage message);

private:
    VtkOutputCapture() = default;
    mutable std::mutex mutex_;
    std::vector<VtkMessage> messages_;
    std::function<void(const VtkMessage&)> listener_;
};

} // namespace nm::widgets
