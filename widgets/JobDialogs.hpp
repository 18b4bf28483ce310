#pragma once
// Dialogs that start the long jobs of the app with their main parameters (defaults as the CLI's,
// tooltips from its help): simulate a cohort, learn an atlas. They only build the command line;
// the jobs run as `neuromosaic-cli` children in the jobs panel (JobManager).
#include <QDialog>
#include <QStringList>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace nm::widgets {

class SimulateDialog : public QDialog {
    Q_OBJECT
public:
    explicit SimulateDialog(QWidget* parent = nullptr);
    /// `simulate …` arguments (without --progress).
    [[nodiscard]] QStringList arguments() const;
    [[nodiscard]] QString outputDirectory() const;
    void setOutputDirectory(const QString& dir);

private:
    QComboBox* preset_;
    QLineEdit* out_;
    QSpinBox* seed_;
};

class LearnDialog : public QDialog {
    Q_OBJECT
public:
    explicit LearnDialog(QWidget* parent = nullptr);
    [[nodiscard]] QStringList arguments() const;
    [[nodiscard]] QString outputFile() const;
    void setDatasets(const QString& dirs);
    void setOutputFile(const QString& file);
    /// Empty when the parameters are usable, else what is wrong (shown on OK).
    [[nodiscard]] QString problem() const;

private:
    QLineEdit *datasets_, *out_, *scales_;
    QSpinBox *epochs_, *seed_;
    QDoubleSpinBox* smoothing_;
    QComboBox* mask_;
};

/// Jobs ▸ Label Atlas…: `label ATLAS [--literature DIR] [--mapping TSV] --subsamples N --threshold T`
/// (the labels go into the atlas itself unless another output is chosen).
class LabelDialog : public QDialog {
    Q_OBJECT
public:
    explicit LabelDialog(QWidget* parent = nullptr);
    [[nodiscard]] QStringList arguments() const;
    /// The labelled bundle the job writes (the atlas itself by default).
    [[nodiscard]] QString outputFile() const;
    void setAtlas(const QString& file);
    void setLiterature(const QString& dir);
    [[nodiscard]] QString literature() const;
    [[nodiscard]] QString problem() const;

private:
    QLineEdit *atlas_, *literature_, *mapping_, *out_;
    QSpinBox* subsamples_;
    QDoubleSpinBox* threshold_;
};

} // namespace nm::widgets
