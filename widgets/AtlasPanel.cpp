#include "AtlasPanel.hpp"

#include "ColorMap.hpp"
#include "SemanticsModel.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QStandardItem>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>
#include <limits>
#include <QtConcurrent/QtConcurrent>

namespace nm::widgets {

namespace {
enum Column { kId, kName, kConcepts, kSize, kEv, kModule, kParent, kColumns };

/// Filters on every column's text and on all the labels of a component (the Concepts column shows the best one).
class ComponentFilter : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override {
        if (QSortFilterProxyModel::filterAcceptsRow(row, parent)) return true;
        const auto labels = sourceModel()->index(row, kConcepts, parent).data(Qt::UserRole + 1).toString();
        return !labels.isEmpty() && labels.contains(filterRegularExpression());
    }
};

struct Loaded {
    std::shared_ptr<const io::AtlasBundle> bundle;
    std::vector<std::vector<int>> modules;
    QString error;
};

} // namespace

AtlasPanel::AtlasPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("atlasPanel");
    auto* layout = new QVBoxLayout(this);
    title_ = new QLabel(tr("No atlas: open an atlas bundle (*.nmatlas.h5)"), this);
    title_->setWordWrap(true);
    scaleBox_ = new QComboBox(this);
    scaleBox_->setObjectName("atlasScale");
    scaleBox_->setToolTip(tr("Scale of the atlas: number of components"));
    mosaic_ = new QCheckBox(tr("Mosaic: all components, winner-take-all, with borders"), this);
    mosaic_->setObjectName("atlasMosaic");
    mosaic_->setToolTip(tr("Each vertex takes the colour of the component that loads most on it"));
    search_ = new QLineEdit(this);
    search_->setObjectName("atlasSearch");
    search_->setPlaceholderText(tr("Search components (name or id)…"));
    search_->setClearButtonEnabled(true);
    model_ = new QStandardItemModel(0, kColumns, this);
    model_->setHorizontalHeaderLabels({tr("ID"), tr("Name"), tr("Concepts"), tr("Size"), tr("EV %"), tr("Module"), tr("Parent")});
    model_->horizontalHeaderItem(kConcepts)->setToolTip(tr("The component's best concept and its selection frequency π "
                                                           "(Jobs ▸ Label Atlas…); searchable"));
    proxy_ = new ComponentFilter(this);
    proxy_->setSourceModel(model_);
    proxy_->setFilterKeyColumn(-1);  // every column
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setSortRole(Qt::UserRole);
    table_ = new QTableView(this);
    table_->setObjectName("atlasTable");
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(kName, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(kConcepts, QHeaderView::Stretch);
    table_->sortByColumn(kId, Qt::AscendingOrder);
    tree_ = new QTreeWidget(this);
    tree_->setObjectName("atlasHierarchy");
    tree_->setHeaderLabels({tr("Hierarchy"), tr("Overlap")});
    tree_->setMaximumHeight(160);
    tree_->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree_->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree_->header()->setStretchLastSection(false);
    layout->addWidget(title_);
    layout->addWidget(scaleBox_);
    layout->addWidget(mosaic_);
    layout->addWidget(search_);
    layout->addWidget(table_, 1);
    layout->addWidget(tree_);

    connect(scaleBox_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!bundle_ || i < 0) return;
        scaleIndex_ = i;
        component_ = -1;
        fillTable();
        fillHierarchy();
        if (!quiet_) emit scaleChanged(bundle_->scales[std::size_t(i)].components);
    });
    connect(mosaic_, &QCheckBox::toggled, this, &AtlasPanel::mosaicToggled);
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        // Filtering moves the table's current row; that is not the user choosing a component.
        filtering_ = true;
        proxy_->setFilterFixedString(text);
        filtering_ = false;
        if (component_ >= 0) selectComponent(component_, true);
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (!current.isValid() || !bundle_) return;
        if (filtering_) return;
        const int c = proxy_->data(proxy_->index(current.row(), kId), Qt::UserRole).toInt();
        if (c == component_) return;
        component_ = c;
        fillHierarchy();
        if (!quiet_) emit componentSelected(currentScale(), c);
    });
    connect(tree_, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        const int k = item->data(0, Qt::UserRole).toInt(), c = item->data(0, Qt::UserRole + 1).toInt();
        if (k <= 0) return;
        showScale(k, true);
        selectComponent(c, true);
        emit scaleChanged(k);
        emit componentSelected(k, c);
    });
}

void AtlasPanel::setAtlas(const QString& path) {
    auto* watcher = new QFutureWatcher<Loaded>(this);
    connect(watcher, &QFutureWatcher<Loaded>::finished, this, [this, watcher, path] {
        watcher->deleteLater();
        Loaded r = watcher->result();
        if (!r.error.isEmpty()) {
            emit failed(path, r.error);
            return;
        }
        path_ = path;
        bundle_ = r.bundle;
        modules_ = std::move(r.modules);
        title_->setText(tr("<b>%1</b> — %2 scales, template %3")
                            .arg(QFileInfo(path).fileName())
                            .arg(bundle_->scales.size())
                            .arg(QString::fromStdString(bundle_->templateId)));
        quiet_ = true;
        scaleBox_->clear();
        for (const auto& s : bundle_->scales) scaleBox_->addItem(tr("%1 components").arg(s.components), s.components);
        quiet_ = false;
        scaleIndex_ = bundle_->scales.empty() ? -1 : 0;
        fillTable();
        fillHierarchy();
        emit atlasLoaded(path);
    });
    watcher->setFuture(QtConcurrent::run([path] {
        Loaded r;
        try {
            auto b = std::make_shared<io::AtlasBundle>(io::readAtlasBundle(path.toStdString()));
            r.modules.resize(b->scales.size());
            r.bundle = b;
        } catch (const std::exception& e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

int AtlasPanel::currentScale() const {
    return bundle_ && scaleIndex_ >= 0 ? bundle_->scales[std::size_t(scaleIndex_)].components : 0;
}

const std::vector<int>& AtlasPanel::modules(int scaleComponents) const {
    static const std::vector<int> none;
    if (!bundle_) return none;
    for (std::size_t i = 0; i < bundle_->scales.size(); ++i)
        if (bundle_->scales[i].components == scaleComponents) return modules_[i];
    return none;
}

void AtlasPanel::setModules(int scaleComponents, std::vector<int> modules) {
    if (!bundle_) return;
    for (std::size_t i = 0; i < bundle_->scales.size(); ++i)
        if (bundle_->scales[i].components == scaleComponents && int(modules.size()) == scaleComponents) {
            modules_[i] = std::move(modules);
            if (int(i) == scaleIndex_)
                for (int c = 0; c < model_->rowCount(); ++c) {
                    const int m = modules_[i][std::size_t(c)];
                    model_->item(c, kModule)->setText(QString::number(m));
                    model_->item(c, kModule)->setData(m, Qt::UserRole);
                    const auto rgb = render::labelColor(m);  // the graph's module colours
                    model_->item(c, kModule)->setBackground(QColor::fromRgbF(rgb[0], rgb[1], rgb[2], 0.55));
                }
        }
}

int AtlasPanel::visibleRows() const { return proxy_->rowCount(); }

void AtlasPanel::setComponentFigures(ComponentFigures figures) {
    figures_ = std::move(figures);
    model_->setColumnCount(kColumns + int(figures_.size()));
    for (std::size_t f = 0; f < figures_.size(); ++f) {
        auto* h = new QStandardItem(QString::fromStdString(figures_[f].first));
        h->setToolTip(tr("From the atlas's validation reports (Validation panel); – where the report has no value"));
        model_->setHorizontalHeaderItem(kColumns + int(f), h);
    }
    fillTable();
}

int AtlasPanel::columnOf(const QString& header) const {
    for (int c = 0; c < model_->columnCount(); ++c)
        if (model_->horizontalHeaderItem(c) && model_->horizontalHeaderItem(c)->text() == header) return c;
    return -1;
}

void AtlasPanel::showScale(int components, bool quiet) {
    const int i = scaleBox_->findData(components);
    if (i < 0) return;
    quiet_ = quiet;
    scaleBox_->setCurrentIndex(i);
    quiet_ = false;
}

void AtlasPanel::selectComponent(int component, bool quiet) {
    for (int r = 0; r < proxy_->rowCount(); ++r)
        if (proxy_->data(proxy_->index(r, kId), Qt::UserRole).toInt() == component) {
            quiet_ = quiet;
            table_->selectRow(r);
            table_->setCurrentIndex(proxy_->index(r, kId));
            table_->scrollTo(proxy_->index(r, kId));
            quiet_ = false;
            return;
        }
}

void AtlasPanel::fillTable() {
    // Detached from the sorting proxy while filling: attached, every new item re-sorts the table
    // (seconds for 1024 components).
    proxy_->setSourceModel(nullptr);
    struct Reattach {
        AtlasPanel* p;
        ~Reattach() {
            p->proxy_->setSourceModel(p->model_);
            p->proxy_->sort(p->table_->horizontalHeader()->sortIndicatorSection(), p->table_->horizontalHeader()->sortIndicatorOrder());
        }
    } reattach{this};
    model_->setRowCount(0);
    if (!bundle_ || scaleIndex_ < 0) return;
    const auto& s = bundle_->scales[std::size_t(scaleIndex_)];
    const auto& mod = modules_[std::size_t(scaleIndex_)];
    model_->setRowCount(s.components);
    auto item = [](const QString& text, const QVariant& sortKey) {
        auto* it = new QStandardItem(text);
        it->setData(sortKey, Qt::UserRole);
        return it;
    };
    for (int c = 0; c < s.components; ++c) {
        const QString name = c < int(s.names.size()) ? QString::fromStdString(s.names[std::size_t(c)]) : QString();
        const double ev = c < s.explainedVariance.size() ? 100.0 * s.explainedVariance[c] : 0.0;
        const int size = c < s.size.size() ? s.size[c] : 0;
        const int parent = c < int(s.parent.size()) ? s.parent[std::size_t(c)] : -1;
        model_->setItem(c, kId, item(QString::number(c), c));
        model_->setItem(c, kName, item(name, name));
        model_->setItem(c, kSize, item(QString::number(size), size));
        model_->setItem(c, kEv, item(QString::number(ev, 'f', 2), ev));
        model_->setItem(c, kModule, item(mod.empty() ? QString("–") : QString::number(mod[std::size_t(c)]), mod.empty() ? 0 : mod[std::size_t(c)]));
        model_->setItem(c, kParent, item(parent >= 0 ? QString::number(parent) : QString("–"), parent));
        for (std::size_t f = 0; f < figures_.size(); ++f) {
            double v = std::numeric_limits<double>::quiet_NaN();
            for (const auto& [k, values] : figures_[f].second)
                if (k == s.components && c < int(values.size())) v = values[std::size_t(c)];
            model_->setItem(c, kColumns + int(f), item(std::isfinite(v) ? QString::number(v, 'f', 3) : QString("–"),
                                                       std::isfinite(v) ? v : -std::numeric_limits<double>::infinity()));
        }
        if (s.labels) {
            // Every label of the component is searchable ("motor" finds the motor components).
            QStringList all;
            for (const auto& [ci, pi] : s.labels->labelsOf(c)) all << QString::fromStdString(s.labels->concepts[std::size_t(ci)]);
            auto* it = item(QString::fromStdString(conceptSummary(*s.labels, c)), bestLabelPi(*s.labels, c));
            it->setToolTip(all.join("\n"));
            it->setData(all.join("; "), Qt::UserRole + 1);
            model_->setItem(c, kConcepts, it);
        } else {
            model_->setItem(c, kConcepts, item(QString(), 0.0));
        }
    }
    table_->resizeColumnToContents(kId);
    table_->resizeColumnToContents(kSize);
    table_->resizeColumnToContents(kEv);
}

void AtlasPanel::fillHierarchy() {
    tree_->clear();
    if (!bundle_ || scaleIndex_ < 0 || component_ < 0) return;
    const auto& scales = bundle_->scales;
    const auto i = std::size_t(scaleIndex_);
    auto add = [this](QTreeWidgetItem* parent, const QString& label, int k, int c, double overlap) {
        auto* it = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree_);
        it->setText(0, label);
        if (overlap >= 0) it->setText(1, QString::number(overlap, 'f', 2));
        it->setData(0, Qt::UserRole, k);
        it->setData(0, Qt::UserRole + 1, c);
        return it;
    };
    auto label = [&](std::size_t si, int c) {
        const auto& s = scales[si];
        const QString name = c < int(s.names.size()) ? QString::fromStdString(s.names[std::size_t(c)]) : QString();
        return tr("%1/%2 %3").arg(s.components).arg(c).arg(name);
    };
    QTreeWidgetItem* top = nullptr;
    if (i > 0) {
        const int p = scales[i].parent.empty() ? -1 : scales[i].parent[std::size_t(component_)];
        if (p >= 0) top = add(nullptr, tr("parent ") + label(i - 1, p), scales[i - 1].components, p, -1);
    }
    auto* self = add(top, label(i, component_), scales[i].components, component_, -1);
    QFont bold = self->font(0);
    bold.setBold(true);
    self->setFont(0, bold);
    if (i + 1 < scales.size()) {
        // Children: components of the next scale whose overlap with this one is largest (their parent).
        const auto& finer = scales[i + 1];
        for (int j = 0; j < finer.components; ++j)
            if (j < int(finer.parent.size()) && finer.parent[std::size_t(j)] == component_) {
                double ov = -1;
                if (finer.overlap.rows() == finer.components) ov = finer.overlap.coeff(j, component_);
                add(self, label(i + 1, j), finer.components, j, ov);
            }
    }
    tree_->expandAll();
}

} // namespace nm::widgets
