#pragma once
// File ▸ Personalize Subject…: choose the subject's BIDS folder (validated, its runs and tasks
// listed), the group atlas and the solver settings (CLI defaults, tooltips from its help), then
// the job runs as `neuromosaic-cli personalize` in the jobs panel. Checks live in PersonalizeModel.
#include "PersonalizeModel.hpp"

#include <QStringList>
#include <QWizard>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace nm::widgets {

class PersonalizeWizard : public QWizard {
    Q_OBJECT
public:
    explicit PersonalizeWizard(QWidget* parent = nullptr);
    void setAtlas(const QString& file);
    void setSubjectFolder(const QString& folder);
    /// `personalize …` arguments (without --progress).
    [[nodiscard]] QStringList arguments() const;
    [[nodiscard]] QString outputFile() const;
    [[nodiscard]] const SubjectFolderCheck& subjectCheck() const { return subject_; }
    [[nodiscard]] const AtlasCheck& atlasCheck() const { return atlas_; }
    [[nodiscard]] PersonalizeSettings settings() const;

private:
    void refreshSubject();
    void refreshAtlas();
    void refreshSummary();

    QLineEdit *subjectEdit_, *atlasEdit_, *outEdit_;
    QLabel *subjectStatus_, *atlasStatus_;
    QTableWidget* runs_;
    QDoubleSpinBox *alpha_, *rho_, *eps_;
    QSpinBox *bcd_, *inner_, *coarse_;
    QPlainTextEdit* summary_;
    SubjectFolderCheck subject_;
    AtlasCheck atlas_;
    bool outEdited_ = false;
};

} // namespace nm::widgets
