#pragma once
// The Semantics panel: the selected component's concepts (π, sign, forward t; its labels in bold)
// and its literature terms (r). Activating a concept asks for the components that carry it to be
// shown as one layer. The rows come from SemanticsModel (Qt-free).
#include "io/AtlasBundle.hpp"

#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace nm::widgets {

class SemanticsPanel : public QWidget {
    Q_OBJECT
public:
    explicit SemanticsPanel(QWidget* parent = nullptr);
    /// Shows component `component` of the scale with `components` components (−1: none).
    void showComponent(std::shared_ptr<const io::AtlasBundle> bundle, int components, int component);
    [[nodiscard]] QTableWidget* conceptTable() const { return concepts_; }
    [[nodiscard]] QTableWidget* termTable() const { return terms_; }
    [[nodiscard]] QString summary() const;

signals:
    /// A concept was activated (double-click or Enter): show its components.
    void conceptActivated(int components, int concept_);

private:
    std::shared_ptr<const io::AtlasBundle> bundle_;
    int components_ = 0, component_ = -1;
    QLabel* title_;
    QLabel* source_;
    QTableWidget* concepts_;
    QTableWidget* terms_;
};

} // namespace nm::widgets
