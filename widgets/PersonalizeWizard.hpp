#pragma once
// File ▸ Personalize Subject…: choose the subject's BIDS folder (validated, its runs and tasks
// listed) and/or its contrast maps (NIfTI, or GIFTI pairs, named by the concepts the atlas labels), the group atlas and the solver settings (CLI defaults, tooltips from its help), then
// the job runs as `neuromosaic-cli personalize` in the jobs panel. Checks live in PersonalizeModel.
#include "PersonalizeModel.hpp"

#include <QStringList>
#include <QWizard>

class QCheckBox;
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
    /// The subject's contrast maps (instead of, or with, its folder).
    void setContrastMaps(const std::vector<ContrastMapEntry>& maps);
    [[nodiscard]] std::vector<ContrastMapEntry> contrastMaps() const;
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
    void refreshMaps();
    void refreshOutput();
    void addMapRow(const ContrastMapEntry& e);

    QLineEdit *subjectEdit_, *atlasEdit_, *outEdit_;
    QLabel *subjectStatus_, *atlasStatus_;
    QTableWidget *runs_, *maps_;
    QLabel* mapsStatus_;
    QCheckBox* surfaces_;
    ContrastMapsCheck mapsCheck_;
    QDoubleSpinBox *alpha_, *rho_, *eps_;
    QSpinBox *bcd_, *inner_, *coarse_;
    QPlainTextEdit* summary_;
    SubjectFolderCheck subject_;
    AtlasCheck atlas_;
    bool outEdited_ = false;
};

} // namespace nm::widgets
