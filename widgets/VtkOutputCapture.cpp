#include "VtkOutputCapture.hpp"

#include <vtkObjectFactory.h>
#include <vtkOutputWindow.h>
#include <vtkSmartPointer.h>

namespace nm::widgets {

namespace {
class CapturingOutputWindow : public vtkOutputWindow {
public:
    static CapturingOutputWindow* New();
    vtkTypeMacro(CapturingOutputWindow, vtkOutputWindow);
    VtkOutputCapture* target = nullptr;
    void DisplayText(const char* text) override { forward(VtkMessage::Kind::Text, text); }
    void DisplayErrorText(const char* text) override { forward(VtkMessage::Kind::Error, text); }
    void DisplayWarningText(const char* text) override { forward(VtkMessage::Kind::Warning, text); }
    void DisplayGenericWarningText(const char* text) override { forward(VtkMessage::Kind::Generic, text); }
    void DisplayDebugText(const char* text) override { forward(VtkMessage::Kind::Debug, text); }

private:
    void forward(VtkMessage::Kind kind, const char* text) {
        if (target) target->record({kind, text ? text : ""});
    }
};
vtkStandardNewMacro(CapturingOutputWindow);
} // namespace

VtkOutputCapture& VtkOutputCapture::install() {
    static VtkOutputCapture capture;
    static bool installed = false;
    if (!installed) {
        auto window = vtkSmartPointer<CapturingOutputWindow>::New();
        window->target = &capture;
        vtkOutputWindow::SetInstance(window);
        installed = true;
    }
    return capture;
}

void VtkOutputCapture::setListener(std::function<void(const VtkMessage&)> listener) {
    std::lock_guard lock(mutex_);
    listener_ = std::move(listener);
}

std::vector<VtkMessage> VtkOutputCapture::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

std::size_t VtkOutputCapture::errorCount() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& m : messages_)
        if (m.kind == VtkMessage::Kind::Error || m.kind == VtkMessage::Kind::Warning ||
            m.kind == VtkMessage::Kind::Generic)
            ++n;
    return n;
}

void VtkOutputCapture::clear() {
    std::lock_guard lock(mutex_);
    messages_.clear();
}

void VtkOutputCapture::record(VtkMessage message) {
    std::function<void(const VtkMessage&)> listener;
    {
        std::lock_guard lock(mutex_);
        messages_.push_back(message);
        listener = listener_;
    }
    if (listener) listener(message);
}

} // namespace nm::widgets
