#pragma once
// A read-only, row-selecting QTableWidget whose first column stretches (the Semantics panel and
// the Decode dialog list concepts and terms in them).
#include <QStringList>

class QTableWidget;
class QWidget;

namespace nm::widgets {

QTableWidget* makeReadOnlyTable(QWidget* parent, const QStringList& headers, const char* objectName);

} // namespace nm::widgets
