// Anchor translation unit of the resources library (the icons are added by qt_add_resources).
namespace nm::resources {
int anchor() { return 0; }
} // namespace nm::resources
