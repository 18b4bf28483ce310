#pragma once
// The atlas browser: the scales of an atlas bundle, a table of the components of one scale (id,
// name, size, explained variance, module, parent) with search and sort, and the hierarchy of the
// selected component across scales (its parent and its children). Selecting a component asks the
// main window to show its map. Reading the bundle runs on a worker thread; the modules come from
// the component graph (graph::buildComponentGraph); the panel only displays.
#include "io/AtlasBundle.hpp"

#include <QString>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QTreeWidget;

namespace nm::widgets {

class AtlasPanel : public QWidget {
    Q_OBJECT
public:
    explicit AtlasPanel(QWidget* parent = nullptr);

    /// Reads the bundle in the background; emits atlasLoaded or failed.
    void setAtlas(const QString& path);
    [[nodiscard]] QString atlasPath() const { return path_; }
    [[nodiscard]] bool hasAtlas() const { return bundle_ != nullptr; }
    [[nodiscard]] const io::AtlasBundle* bundle() const { return bundle_.get(); }
    [[nodiscard]] std::shared_ptr<const io::AtlasBundle> sharedBundle() const { return bundle_; }
    /// Components of the shown scale (0: none).
    [[nodiscard]] int currentScale() const;
    [[nodiscard]] int currentComponent() const { return component_; }
    /// Module of each component of a scale (1-based; empty until set from the component graph).
    [[nodiscard]] const std::vector<int>& modules(int scaleComponents) const;
    /// The modules of a scale's component network (from the graph panel's consensus partition).
    void setModules(int scaleComponents, std::vector<int> modules);
    /// Extra sortable columns of per-component validation figures (name → per scale: one value
    /// per component, NaN for none), e.g. recovery and stability from the validation reports.
    using ComponentFigures = std::vector<std::pair<std::string, std::vector<std::pair<int, std::vector<double>>>>>;
    void setComponentFigures(ComponentFigures figures);
    [[nodiscard]] int columnOf(const QString& header) const;

    /// Shows a scale (by its number of components) and selects a component (−1: none); the same
    /// as the user doing it, except that no signal is emitted when `quiet`.
    void showScale(int components, bool quiet = false);
    void selectComponent(int component, bool quiet = false);

    // For tests and automation.
    [[nodiscard]] QComboBox* scaleBox() const { return scaleBox_; }
    [[nodiscard]] QCheckBox* mosaicBox() const { return mosaic_; }
    [[nodiscard]] QLineEdit* searchBox() const { return search_; }
    [[nodiscard]] QTableView* table() const { return table_; }
    [[nodiscard]] QTreeWidget* hierarchy() const { return tree_; }
    [[nodiscard]] int visibleRows() const;

signals:
    void atlasLoaded(const QString& path);
    void failed(const QString& path, const QString& error);
    void scaleChanged(int components);
    void componentSelected(int components, int component);
    /// Mosaic mode: every component of the scale as a winner-take-all parcellation with borders.
    void mosaicToggled(bool on);

private:
    void fillTable();
    void fillHierarchy();

    QString path_;
    std::shared_ptr<const io::AtlasBundle> bundle_;
    std::vector<std::vector<int>> modules_;  ///< per scale index
    ComponentFigures figures_;
    int scaleIndex_ = -1, component_ = -1;
    bool quiet_ = false, filtering_ = false;
    QLabel* title_;
    QComboBox* scaleBox_;
    QCheckBox* mosaic_;
    QLineEdit* search_;
    QStandardItemModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QTreeWidget* tree_;
};

} // namespace nm::widgets
