#pragma once
// The personalization's side-by-side view: the group's component, the subject's personalized one
// and the subject's displacement map, on three surface views whose cameras are linked (one
// vtkCamera), a scale and component chooser, and the gains table of a validation report when one
// is given (`validate personalization`'s JSON) — else the personalization's own figures.
#include <QString>
#include <QWidget>

#include "io/Session.hpp"

#include <nlohmann/json.hpp>

class QComboBox;
class QSpinBox;
class QTableWidget;
class QLabel;

namespace nm::widgets {

class SceneController;
class VtkViewport;

class ComparisonWindow : public QWidget {
    Q_OBJECT
public:
    /// `displacement` may be empty (no third view). `report` may be empty (no gains table).
    ComparisonWindow(const QString& groupAtlas, const QString& subjectAtlas, const QString& displacement,
                     const QString& report = {}, QWidget* parent = nullptr);
    ~ComparisonWindow() override;
    void showComponent(int components, int component);
    [[nodiscard]] SceneController* scene(int pane) const { return scenes_[pane]; }
    [[nodiscard]] VtkViewport* viewport(int pane) const { return views_[pane]; }
    [[nodiscard]] int paneCount() const { return panes_; }
    [[nodiscard]] bool camerasLinked() const;
    [[nodiscard]] QTableWidget* gainsTable() const { return gains_; }

private:
    void fillGains(const nlohmann::json& report, const nlohmann::json& provenance);
    /// Brings pane p's layer to the desired one (once the scene can take it).
    void sync(int p);

    struct PaneLink {
        ComparisonWindow* window = nullptr;
        int pane = 0;
    };
    QString group_, subject_, displacement_;
    PaneLink sync_[3];
    io::SessionLayer desired_[3];
    bool added_[3] = {false, false, false};
    bool following_[3] = {false, false, false};
    int panes_ = 0;
    VtkViewport* views_[3] = {nullptr, nullptr, nullptr};
    SceneController* scenes_[3] = {nullptr, nullptr, nullptr};
    QComboBox* scale_;
    QSpinBox* component_;
    QTableWidget* gains_;
    QLabel* caption_;
};

} // namespace nm::widgets
