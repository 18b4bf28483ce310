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

} // namespace nm::widgets
